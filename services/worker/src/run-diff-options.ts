import type { Logger } from '@shadowdiff/core';
import { createDiffOptions, parseStoredRules, type DiffOptions } from '@shadowdiff/diff';
import { getRunRules, type Pool } from '@shadowdiff/store';

export interface RunDiffOptions {
  /** Diff options of each run: the configured rules followed by the run's own. */
  forRuns(runIds: readonly string[]): Promise<Map<string, DiffOptions>>;
}

/**
 * Compiles and caches each run's diff options. A run's rules (changed through the API) are
 * re-read after `ttlMs`, so new exchanges follow a rule change within that time. Compiled
 * options are reused while the rules are unchanged, so regexes are compiled once per change.
 */
export function createRunDiffOptions(options: { pool: Pool; base: DiffOptions; ttlMs?: number; logger: Logger }): RunDiffOptions {
  const ttlMs = options.ttlMs ?? 2000;
  const cache = new Map<string, { checkedAt: number; rulesJson: string; diffOptions: DiffOptions }>();

  const compile = (runId: string, rules: unknown[]): DiffOptions => {
    if (rules.length === 0) return options.base;
    try {
      return createDiffOptions({ ...options.base, rules: [...(options.base.rules ?? []), ...parseStoredRules(rules)] });
    } catch (error) {
      options.logger.warn({ run: runId, err: (error as Error).message }, 'run rules invalid; using configured rules only');
      return options.base;
    }
  };

  return {
    async forRuns(runIds) {
      const now = Date.now();
      const stale = runIds.filter((id) => (cache.get(id)?.checkedAt ?? -Infinity) + ttlMs < now);
      if (stale.length > 0) {
        const rules = await getRunRules(options.pool, stale);
        for (const id of stale) {
          const runRules = rules.get(id) ?? [];
          const rulesJson = JSON.stringify(runRules);
          const cached = cache.get(id);
          const diffOptions = cached && cached.rulesJson === rulesJson ? cached.diffOptions : compile(id, runRules);
          cache.set(id, { checkedAt: now, rulesJson, diffOptions });
        }
      }
      return new Map(runIds.map((id) => [id, cache.get(id)!.diffOptions]));
    },
  };
}
