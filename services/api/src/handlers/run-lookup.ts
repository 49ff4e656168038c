import { NotFoundError, BadRequestError, ConfigError } from '@shadowdiff/core';
import { createDiffOptions, parseStoredRules } from '@shadowdiff/diff';
import { findRun, type Pool, type Run } from '@shadowdiff/store';

/** The run named by a `:run` parameter (id or name), or a 404. */
export async function requireRun(pool: Pool, idOrName: string): Promise<Run> {
  const run = await findRun(pool, idOrName);
  if (!run) throw new NotFoundError(`no run with id or name '${idOrName}'`);
  return run;
}

/**
 * What a write to a run returned: the store answers nothing for a run that does not exist, which
 * is a 404 rather than a 200 with no body.
 */
export function written<T>(result: T | undefined, run: Run): T {
  if (result === undefined) throw new NotFoundError(`no run with id '${run.id}'`);
  return result;
}

/**
 * Checks a run's rules together with the configured ones as the worker will compile them
 * (unique names, valid globs and patterns); a problem is a 400 that lists every one.
 */
export function checkRules(configured: readonly unknown[], rules: readonly unknown[]): void {
  try {
    createDiffOptions({ rules: parseStoredRules([...configured, ...rules]) });
  } catch (error) {
    if (error instanceof ConfigError) throw new BadRequestError(`parameter 'rules' (body): ${error.problems.join('; ') || error.message}`);
    throw error;
  }
}

/** `/api/v1/runs/{id}…` links for drill-down. */
export const runLink = (run: Run, ...rest: string[]): string => ['/api/v1/runs', run.id, ...rest].join('/');
