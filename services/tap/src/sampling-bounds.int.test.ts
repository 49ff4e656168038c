import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startUpstream, type TestUpstream } from '@shadowdiff/testkit';
import { counterValue, startTestTap, type TestTap } from '../test/test-support.ts';

/** Sends every request in `urls` (with its headers), `parallel` at a time, expecting the primary's 200. */
async function send(requests: { url: string; headers?: Record<string, string>; method?: string; body?: string }[], parallel = 16): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < requests.length) {
        const r = requests[next++]!;
        const res = await fetch(r.url, { method: r.method ?? 'GET', headers: r.headers, body: r.body });
        expect(res.status).toBe(200);
        await res.arrayBuffer();
      }
    }),
  );
}

describe('inline tap: sampling and bounds', () => {
  let primary: TestUpstream;
  let candidate: TestUpstream;
  let hanging: TestUpstream;
  const taps: TestTap[] = [];
  const start = async (options: Parameters<typeof startTestTap>[0]): Promise<TestTap> => {
    const tap = await startTestTap(options);
    taps.push(tap);
    return tap;
  };

  beforeAll(async () => {
    primary = await startUpstream((_req, res, body) => void res.end(body.length > 0 ? body : 'primary'));
    candidate = await startUpstream((_req, res) => void res.end('candidate'));
    hanging = await startUpstream((_req, res) => void setTimeout(() => res.end('late'), 800));
  });
  afterAll(async () => {
    for (const tap of taps) await tap.close();
    await Promise.all([primary?.close(), candidate?.close(), hanging?.close()]);
  });

  it('mirrors 10% of 3000 requests, within ±2 points (about 3.6 standard deviations)', async () => {
    const tap = await start({ primaryUrl: primary.url, candidateUrl: candidate.url, mirrorPercentage: 10 });
    await send(Array.from({ length: 3000 }, (_, i) => ({ url: `${tap.url}/random/${i}` })));
    const mirrored = await counterValue(tap.metrics.mirrored);
    expect(Math.abs(mirrored / 3000 - 0.1)).toBeLessThan(0.02);
    expect(await counterValue(tap.metrics.skipped, { reason: 'sampled_out' })).toBe(3000 - mirrored);
    await eventually(() => tap.captures.length === mirrored);
    expect(tap.captures).toHaveLength(mirrored);
  });

  it('with a sampling key, two tap instances mirror all of a user’s requests or none', async () => {
    const a = await start({ primaryUrl: primary.url, candidateUrl: candidate.url, mirrorPercentage: 10, sampleKey: 'header:x-user-id' });
    const b = await start({ primaryUrl: primary.url, candidateUrl: candidate.url, mirrorPercentage: 10, sampleKey: 'header:x-user-id' });
    const users = Array.from({ length: 1000 }, (_, u) => `user-${u}`);
    await send(users.flatMap((user) => [a, b, a].map((tap, i) => ({ url: `${tap.url}/orders/${i}`, headers: { 'x-user-id': user } }))));
    await eventually(async () => a.captures.length + b.captures.length === (await counterValue(a.metrics.mirrored)) + (await counterValue(b.metrics.mirrored)));
    const perUser = new Map<string, number>();
    for (const capture of [...a.captures, ...b.captures]) {
      const user = capture.request.headers['x-user-id'] as string;
      perUser.set(user, (perUser.get(user) ?? 0) + 1);
    }
    expect([...perUser.values()].every((n) => n === 3)).toBe(true);
    expect(Math.abs(perUser.size / 1000 - 0.1)).toBeLessThan(0.04);
  });

  it('drops copies beyond the in-flight bound, and requests too large to copy, without touching clients', async () => {
    const tap = await start({ primaryUrl: primary.url, candidateUrl: hanging.url, maxInFlightShadows: 5, mirrorUnsafeMethods: true, maxBodyBytes: 1000 });
    const started = Date.now();
    await send(Array.from({ length: 50 }, (_, i) => ({ url: `${tap.url}/busy/${i}` })), 25);
    expect(Date.now() - started).toBeLessThan(700);
    expect(await counterValue(tap.metrics.mirrored)).toBeLessThanOrEqual(5);
    expect(await counterValue(tap.metrics.dropped, { reason: 'shadow_limit' })).toBeGreaterThanOrEqual(45);

    await eventually(async () => (await tap.metrics.inFlightShadows.get()).values[0]!.value === 0);
    const big = 'x'.repeat(5000);
    const res = await fetch(`${tap.url}/upload`, { method: 'POST', body: big });
    expect(await res.text()).toBe(big);
    expect(await eventually(async () => (await counterValue(tap.metrics.dropped, { reason: 'request_too_large' })) === 1)).toBe(true);
    expect(hanging.requests.some((r) => r.url === '/upload')).toBe(false);
  });
});
