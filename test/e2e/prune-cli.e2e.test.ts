import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { newCaptureId } from '@shadowdiff/core';
import { ensureRuns, storeExchanges, utcDay, type ExchangeRecord } from '@shadowdiff/store';
import { createTestDatabase, runCli, type CliProcess, type TestDatabase } from '@shadowdiff/testkit';

const DAY = 86_400_000;

function record(runId: string, atMs: number): ExchangeRecord {
  return {
    id: newCaptureId(atMs), runId, capturedAt: new Date(atMs).toISOString(), method: 'GET', url: '/a/1', route: 'GET /a/{id}',
    primaryStatus: 200, candidateStatus: 200, secondaryStatus: null, candidateOutcome: 'ok', secondaryOutcome: null,
    primaryLatencyMs: 5, candidateLatencyMs: 6, secondaryLatencyMs: null, secondaryKind: null,
    request: null, primaryResponse: null, candidateResponse: null, secondaryResponse: null,
    differences: [{ side: 'candidate', field: 'body.x', path: 'body.x', kind: 'changed', primaryValue: 1, otherValue: 2, suspectedNoise: false, ignoredBy: null }],
    statusMismatch: false, candidateError: false,
  };
}

/**
 * `shadowdiff prune` and `shadowdiff runs keep` as a person runs them: a database with 40-day-old
 * traffic of two runs and today's of a third; one old run is kept through the API.
 */
describe('shadowdiff prune', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shadowdiff-prune-'));
  let db: TestDatabase;
  let api: CliProcess | undefined;
  const env = (): Record<string, string> => ({ DATABASE_URL: db.url, SHADOWDIFF_LOG_LEVEL: 'warn', SHADOWDIFF_STATE_DIR: dir });
  const count = async (sql: string): Promise<number> => Number((await db.pool.query<{ n: string }>(`SELECT count(*) AS n ${sql}`)).rows[0]!.n);
  const run = async (args: string[], extra: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> => {
    const cli = runCli(args, { ...env(), ...extra });
    const code = await cli.exited();
    return { code, out: cli.stdout(), err: cli.stderr() };
  };

  beforeAll(async () => {
    db = await createTestDatabase(inject('pgAdminUrl'));
    const now = Date.now();
    await db.pool.query('SELECT shadowdiff_add_day_partitions($1::date)', [utcDay(now - 40 * DAY)]);
    const runs = await ensureRuns(db.pool, ['old', 'baseline', 'today']);
    await db.pool.query("UPDATE runs SET created_at = now() - interval '41 days' WHERE name <> 'today'");
    await storeExchanges(db.pool, [
      ...Array.from({ length: 20 }, (_, i) => record(runs.get('old')!, now - 40 * DAY + i)),
      ...Array.from({ length: 5 }, (_, i) => record(runs.get('baseline')!, now - 40 * DAY + i)),
      ...Array.from({ length: 7 }, (_, i) => record(runs.get('today')!, now - i)),
    ]);
  });

  afterAll(async () => {
    await api?.stop();
    await db?.drop();
  });

  it('keeps a run through the API, says what a dry run would remove, then removes it', async () => {
    api = runCli(['api', '--api-port', '0'], env());
    const [, url] = await api.waitFor(/api listening on (\S+)/);
    const keep = await run(['runs', 'keep', 'baseline', '--api', url!]);
    expect(keep).toMatchObject({ code: 0, out: 'kept run baseline: pruning leaves its exchanges\n' });
    const list = await run(['runs', 'list', '--api', url!]);
    expect(list.out).toMatch(/^baseline\s+active\s+kept\s+5\s/m);
    expect(list.out).toMatch(/^old\s+active\s+-\s+20\s/m);

    const dry = await run(['prune', '--older-than', '30d', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.out).toContain('Dry run: nothing removed.');
    expect(dry.out).toMatch(/would remove 20 exchanges, 20 differences, [\d.]+ MB \(kept 5 exchanges of kept runs\)/);
    expect(dry.out).toContain('1 runs left without exchanges: old');
    expect(await count('FROM exchanges')).toBe(32);

    const real = await run(['prune', '--older-than', '30d', '--json']);
    expect(real.code).toBe(0);
    expect(JSON.parse(real.out)).toMatchObject({ dryRun: false, exchanges: 20, differences: 20, runs: ['old'], keptRuns: ['baseline'] });
    expect(await count('FROM exchanges')).toBe(12);
    expect(await count("FROM runs WHERE name = 'old'")).toBe(0);
    const after = await run(['runs', 'list', '--api', url!]);
    expect(after.out).not.toMatch(/^old\s/m);
    expect(after.out).toMatch(/^today\s+active\s+-\s+7\s/m);

    // Nothing left to do: a second prune says so. With retention.days set, the flag may be left out.
    const again = await run(['prune'], { SHADOWDIFF_RETENTION_DAYS: '30' });
    expect(again).toMatchObject({ code: 0 });
    expect(again.out).toContain('no day to prune');
  });

  it('refuses a bad duration, and no duration without retention.days, saying what it wants', async () => {
    const bad = await run(['prune', '--older-than', '30 days']);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("'30 days' is not a duration");
    const none = await run(['prune']);
    expect(none.code).toBe(1);
    expect(none.err).toContain('--older-than 30d, or set retention.days');
  });
});
