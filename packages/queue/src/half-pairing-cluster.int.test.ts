import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisCluster, submitBothHalves, testHalf as half, type TestRedisCluster } from '@shadowdiff/testkit';
import { connectProducer, readyOrTimeout, type RedisConnection } from './connection.ts';
import { createHalfPairer } from './half-pairing.ts';

describe('half pairing on a real 3-master Redis Cluster', () => {
  let cluster: TestRedisCluster;
  // Two connections stand for two recorder processes: they share nothing but the cluster.
  let one: RedisConnection;
  let two: RedisConnection;
  const prefix = `sdtest-${randomBytes(4).toString('hex')}`;
  beforeAll(async () => {
    cluster = await startRedisCluster();
    [one, two] = [connectProducer({ url: cluster.url, cluster: true }), connectProducer({ url: cluster.url, cluster: true })];
    await Promise.all([one, two].map((c) => readyOrTimeout(c, 5000)));
  });
  afterAll(async () => {
    one?.disconnect();
    two?.disconnect();
    await cluster?.stop();
  });

  it('pairs every request id exactly once under concurrency, each pair in one slot, pairs spread over every master', async () => {
    const a = createHalfPairer(one, { run: 'pairs', joinWindowMs: 5000, prefix });
    const b = createHalfPairer(two, { run: 'pairs', joinWindowMs: 5000, prefix });
    const ids = Array.from({ length: 300 }, (_, i) => `req-${i}`);
    const results = await submitBothHalves(a, b, ids);
    const paired = results.filter((r) => r.paired);
    expect(paired).toHaveLength(300);
    for (const r of paired) {
      if (!r.paired) continue;
      expect(r.primary.side).toBe('primary');
      expect(r.candidate.side).toBe('candidate');
      expect(r.primary.requestId).toBe(r.candidate.requestId);
    }
    expect(await a.sweep()).toEqual({ primary: 0, candidate: 0 });
    // Where the halves of each request waited: keyed by run and request id, so spread over the cluster.
    const masters = new Set(ids.map((id) => cluster.masterOf(`${prefix}:pair:{pairs/${id}}:primary`)));
    expect(masters.size).toBe(3);
  });

  it('counts a half whose partner never comes once, after the join window, whoever sweeps', async () => {
    const a = createHalfPairer(one, { run: 'orphans', joinWindowMs: 200, prefix });
    const b = createHalfPairer(two, { run: 'orphans', joinWindowMs: 200, prefix });
    const lonely = Array.from({ length: 30 }, (_, i) => `lonely-${i}`);
    await Promise.all(lonely.map((id, i) => (i % 3 === 0 ? b.submit(half('candidate', id)) : a.submit(half('primary', id)))));
    expect(await a.sweep()).toEqual({ primary: 0, candidate: 0 });
    await new Promise((r) => setTimeout(r, 300));
    const [first, second] = await Promise.all([a.sweep(), b.sweep()]);
    expect(first.primary + second.primary).toBe(20);
    expect(first.candidate + second.candidate).toBe(10);
    // Too late: the partner finds nothing and waits in turn.
    expect((await b.submit(half('candidate', 'lonely-1'))).paired).toBe(false);
  });
});
