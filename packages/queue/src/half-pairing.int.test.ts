import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { submitBothHalves, testHalf as half } from '@shadowdiff/testkit';
import { createProducerConnection } from './connection.ts';
import { createHalfPairer } from './half-pairing.ts';

describe('half pairing in Redis', () => {
  // Two connections stand for two recorder processes: they share nothing but Redis.
  const one = createProducerConnection(inject('redisUrl'));
  const two = createProducerConnection(inject('redisUrl'));
  const prefix = `sdtest-${randomBytes(4).toString('hex')}`;
  beforeAll(async () => {
    await Promise.all([one, two].map((c) => (c.status === 'ready' ? undefined : new Promise((r) => c.once('ready', r)))));
  });
  afterAll(async () => {
    const keys = await one.keys(`${prefix}:*`);
    if (keys.length > 0) await one.del(...keys);
    one.disconnect();
    two.disconnect();
  });

  it('pairs every request id exactly once, whichever half comes first, under concurrency', async () => {
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
      expect(r.primary.request?.url).toBe(`/r/${r.primary.requestId}`);
    }
    expect(await a.sweep()).toEqual({ primary: 0, candidate: 0 });
  });

  it('counts a half whose partner never comes once, after the join window, whoever sweeps', async () => {
    const a = createHalfPairer(one, { run: 'orphans', joinWindowMs: 200, prefix });
    const b = createHalfPairer(two, { run: 'orphans', joinWindowMs: 200, prefix });
    await a.submit(half('primary', 'lonely-1'));
    await a.submit(half('primary', 'lonely-2'));
    await b.submit(half('candidate', 'lonely-3'));
    expect(await a.sweep()).toEqual({ primary: 0, candidate: 0 });
    await new Promise((r) => setTimeout(r, 300));
    const [first, second] = await Promise.all([a.sweep(), b.sweep()]);
    expect(first.primary + second.primary).toBe(2);
    expect(first.candidate + second.candidate).toBe(1);
    // Too late: the partner finds nothing and waits in turn.
    expect((await b.submit(half('candidate', 'lonely-1'))).paired).toBe(false);
  });
});
