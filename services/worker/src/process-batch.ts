import { captureSchema, type Capture, type Logger } from '@shadowdiff/core';
import { diffExchange } from '@shadowdiff/diff';
import { ensureRuns, insertDeadLetters, isDataError, noteTrafficSources, storeExchanges, type DeadLetter, type ExchangeRecord, type Pool } from '@shadowdiff/store';
import type { RunDiffOptions } from './run-diff-options.ts';
import { toExchangeRecord } from './to-record.ts';
import { trafficSourcesOf } from './traffic-sources.ts';

export interface BatchDeps {
  pool: Pool;
  diffOptions: RunDiffOptions;
  /** Share (0–1) of identical exchanges whose bodies are kept. */
  keepIdenticalShare: number;
  logger: Logger;
}

export interface BatchResult {
  stored: number;
  duplicates: number;
  deadLettered: number;
}

function idOf(value: unknown): string | null {
  const id = (value as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id.slice(0, 100) : null;
}

function runOf(value: unknown): string | null {
  const run = (value as { run?: unknown } | null)?.run;
  return typeof run === 'string' ? run.slice(0, 100) : null;
}

/**
 * Stores the records in one transaction; if Postgres refuses the data of one of them, stores
 * them one by one so only the offender is dead-lettered. Anything else (Postgres away) propagates
 * and the job is retried.
 */
async function storeResilient(pool: Pool, records: ExchangeRecord[], deadLetters: DeadLetter[]): Promise<number> {
  try {
    return await storeExchanges(pool, records);
  } catch (error) {
    if (!isDataError(error)) throw error;
  }
  let stored = 0;
  for (const record of records) {
    try {
      stored += await storeExchanges(pool, [record]);
    } catch (error) {
      if (!isDataError(error)) throw error;
      deadLetters.push({ captureId: record.id, runName: null, reason: `refused by Postgres: ${(error as Error).message}`, payload: record });
    }
  }
  return stored;
}

/**
 * Validates, diffs and stores one batch. A capture that can never be processed (it does not
 * match the capture schema, or the diff engine throws on it) is dead-lettered with its reason
 * and the rest of the batch is still stored. Database failures propagate so the job is retried;
 * storage is idempotent, so a retry never counts twice.
 */
export async function processBatch(payload: readonly unknown[], deps: BatchDeps): Promise<BatchResult> {
  const deadLetters: DeadLetter[] = [];
  const valid: Capture[] = [];
  for (const item of payload) {
    const parsed = captureSchema.safeParse(item);
    if (parsed.success) valid.push(parsed.data);
    else {
      const reason = parsed.error.issues
        .slice(0, 5)
        .map((issue) => `${issue.path.join('.') || '(capture)'}: ${issue.message}`)
        .join('; ');
      deadLetters.push({ captureId: idOf(item), runName: runOf(item), reason: `invalid capture: ${reason}`, payload: item ?? null });
    }
  }

  const runIds = valid.length > 0 ? await ensureRuns(deps.pool, valid.map((c) => c.run)) : new Map<string, string>();
  const optionsByRun = await deps.diffOptions.forRuns([...runIds.values()]);
  const records: ExchangeRecord[] = [];
  for (const capture of valid) {
    const runId = runIds.get(capture.run)!;
    try {
      const exchangeDiff = diffExchange(capture, optionsByRun.get(runId)!);
      const keepBodies = deps.keepIdenticalShare > 0 && Math.random() < deps.keepIdenticalShare;
      records.push(toExchangeRecord(capture, runId, exchangeDiff, keepBodies));
    } catch (error) {
      deadLetters.push({ captureId: capture.id, runName: capture.run, reason: `diff failed: ${(error as Error).message}`, payload: capture });
    }
  }

  const stored = await storeResilient(deps.pool, records, deadLetters);
  if (runIds.size > 0) await noteTrafficSources(deps.pool, trafficSourcesOf(valid, runIds));
  if (deadLetters.length > 0) {
    await insertDeadLetters(deps.pool, deadLetters);
    deps.logger.warn({ count: deadLetters.length, reasons: deadLetters.map((d) => d.reason).slice(0, 3) }, 'captures dead-lettered');
  }
  return { stored, duplicates: records.length - stored, deadLettered: deadLetters.length };
}
