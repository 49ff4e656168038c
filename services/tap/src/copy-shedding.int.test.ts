import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startUpstream, type TestUpstream } from '@shadowdiff/testkit';
import { counterValue, startTestTap, type TestTap } from '../test/test-support.ts';

/** Keeps this thread (the tap's serving thread here) busy `share` of every 20 ms until stopped. */
function keepBusy(share: number): () => void {
  const timer = setInterval(() => {
    const until = performance.now() + 20 * share;
    while (performance.now() < until);
  }, 20);
  return () => clearInterval(timer);
}

/** Sends `count` GETs, 8 at a time, each answered 200 by the primary. */
async function send(url: string, count: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < count) {
        const res = await fetch(`${url}/items/${next++}`);
        expect(res.status).toBe(200);
        expect(await res.text()).toBe('primary');
      }
    }),
  );
}

describe('inline tap: copies shed while the serving thread is busy', () => {
  let primary: TestUpstream;
  let candidate: TestUpstream;
  let tap: TestTap;

  beforeAll(async () => {
    primary = await startUpstream((_req, res) => void res.end('primary'));
    candidate = await startUpstream((_req, res) => void res.end('candidate'));
    tap = await startTestTap({ primaryUrl: primary.url, candidateUrl: candidate.url, maxInFlightShadows: 1000, shedCopiesAbove: 0.5 });
  });
  afterAll(async () => {
    await tap?.close();
    await Promise.all([primary?.close(), candidate?.close()]);
  });

  it('drops copies as tap_busy while busy, answers every client, and mirrors all again once it is not', async () => {
    const stop = keepBusy(0.6);
    try {
      await send(tap.url, 1000);
    } finally {
      stop();
    }
    const shed = await counterValue(tap.metrics.dropped, { reason: 'tap_busy' });
    const mirrored = await counterValue(tap.metrics.mirrored);
    expect(shed).toBeGreaterThan(0);
    // Every request is mirrored or shed, and counted once.
    expect(mirrored + shed).toBe(1000);
    await eventually(() => tap.captures.length === mirrored);

    // Idle again: within a second or two every copy is kept.
    expect(await eventually(async () => (await tap.metrics.copyShare.get()).values[0]!.value === 1, 5000)).toBe(true);
    await send(tap.url, 200);
    expect(await counterValue(tap.metrics.mirrored)).toBe(mirrored + 200);
    expect(await counterValue(tap.metrics.dropped, { reason: 'tap_busy' })).toBe(shed);
  });
});
