import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { seededRandom } from '@shadowdiff/core';
import { createTestDatabase, type TestDatabase } from '@shadowdiff/testkit';
import { gateResultSchema } from './schemas/gate.ts';
import { seedExchanges, startTestApi, type TestApi } from '../test/seed.ts';

// The judgement corpus's latency scenarios: a log-normal reference (p50 8 ms, p99 about 26 ms)
// and candidates alike, 20% and 100% slower, or with a heavier tail.
const SCENARIOS = {
  'GET /same/{id}': { scale: 1, tailShare: 0 },
  'GET /plus20/{id}': { scale: 1.2, tailShare: 0 },
  'GET /plus100/{id}': { scale: 2, tailShare: 0 },
  'GET /tail/{id}': { scale: 1, tailShare: 0.05 },
} as const;
const SIZES = [100, 200, 500, 1000, 2000];
const SEEDS = [1, 2];
const LIMIT = 1.5;
const TOLERANCE_MS = 10;
const Z = 1.645 / Math.SQRT2;

function sample(random: () => number, scale: number, tailShare: number): number {
  const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const ms = 8 * Math.exp(0.5 * normal) * scale;
  return tailShare > 0 && random() < tailShare ? ms * 5 : ms;
}

describe('latency verdicts from sketches', () => {
  let db: TestDatabase;
  let api: TestApi;
  const runs: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase(inject('pgAdminUrl'));
    api = await startTestApi(db.pool);
    for (const seed of SEEDS) {
      for (const size of SIZES) {
        const name = `latency-${size}-${seed}`;
        const id = (await api.call('POST', '/runs', { name })).body.id;
        runs.push(name);
        const random = seededRandom(seed * 10_000 + size);
        for (const [route, model] of Object.entries(SCENARIOS)) {
          await seedExchanges(db.pool, id, size, () => ({
            route,
            withSecondary: true,
            secondaryLatencyMs: sample(random, 1, 0),
            candidateLatencyMs: sample(random, model.scale, model.tailShare),
          }));
        }
      }
    }
  });
  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  /** The gate's rule applied to figures computed exactly from the exchanges. */
  async function exactVerdicts(run: string): Promise<Map<string, boolean>> {
    const { rows } = await db.pool.query<{ route: string; c99: number; r99: number; low: number; high: number }>(
      `WITH e AS (
         SELECT route, candidate_latency_ms AS c, secondary_latency_ms AS s, count(*) OVER (PARTITION BY route) AS n
         FROM exchanges WHERE run_id = (SELECT id FROM runs WHERE name = $1)
       )
       SELECT route,
         percentile_cont(0.99) WITHIN GROUP (ORDER BY c) AS c99,
         percentile_cont(0.99) WITHIN GROUP (ORDER BY s) AS r99,
         percentile_disc(greatest(0, 0.99 - $2::float8 * sqrt(0.0099 / n))::float8) WITHIN GROUP (ORDER BY c) AS low,
         percentile_disc(least(1, 0.99 + $2::float8 * sqrt(0.0099 / n))::float8) WITHIN GROUP (ORDER BY s) AS high
       FROM e GROUP BY route, n`,
      [run, Z],
    );
    return new Map(rows.map((x) => [x.route, !(x.c99 / x.r99 > LIMIT && x.low > LIMIT * x.high && x.c99 - x.r99 > TOLERANCE_MS)]));
  }

  it("gives every route of the corpus's latency scenarios the gate verdict exact figures give", async () => {
    const thresholds = { maxP99LatencyRatio: LIMIT, latencyToleranceMs: TOLERANCE_MS, allowInsufficientData: true };
    let failed = 0;
    for (const run of runs) {
      const gate = gateResultSchema.parse((await api.call('POST', `/runs/${run}/gate`, { thresholds })).body);
      const exact = await exactVerdicts(run);
      for (const route of Object.keys(SCENARIOS)) {
        const check = gate.routes.find((r) => r.route === route)!.checks.find((c) => c.check === 'p99_latency_ratio')!;
        expect(check.passed, `${run} ${route}: ${check.message}`).toBe(exact.get(route));
        if (!check.passed) failed += 1;
      }
    }
    // The +100% and heavy-tail candidates are caught on the larger runs: the comparison is not vacuous.
    expect(failed).toBeGreaterThanOrEqual(8);
  });
});
