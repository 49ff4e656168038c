import { describe, expect, it } from 'vitest';
import { samples } from './figures.ts';
import { checksOf, type SimResult } from './reconcile.ts';

const METRICS = `# HELP shadowdiff_tap_dropped_total Captures dropped
shadowdiff_tap_dropped_total{reason="request_too_large"} 10
shadowdiff_tap_dropped_total{reason="redis_unavailable"} 5
shadowdiff_tap_dropped_total_other 99
shadowdiff_tap_mirrored_total 1788
`;

/** A run in which every count reconciles: 100 requests, 10 not mirrored, 5 too large, 85 mirrored, 3 lost to Redis, 82 stored. */
function balanced(): SimResult {
  const tap = { requests: { ok: 100 }, mirrored: 85, notMirrored: { route_excluded: 10 }, dropped: { request_too_large: 5, redis_unavailable: 3 }, queued: 82, candidate: { ok: 85 } };
  const empty = { sent: 0, answered: 0, failed: 0, unanswered: 0, byKind: {} };
  return {
    date: '',
    settings: { seconds: 20, rate: 100, shards: 6, lockDurationMs: 10_000, shadowTimeoutMs: 1000 },
    faults: { workerKilledAtS: 7, storedByKilledWorker: 1, masterKilled: 0, shardsOnKilledMaster: [0], masterKilledAtS: 10, masterAwayS: 5 },
    load: [{ ...empty, sent: 100 }, { ...empty, sent: 100 }],
    taps: [tap, { ...tap }],
    workers: {},
    store: { stored: 164, distinctIds: 164, distinctSids: 164, notSeenByCandidate: 0, deadLetters: 0, candidateOutcomes: {} },
    candidate: { received: 170, distinct: 170 },
    drainS: 1,
    readyz: { status: 200, waitingCaptures: 0 },
    shards: [],
    consumerRestarts: {},
  };
}

describe('the cluster simulation', () => {
  it('reads one metric by label, and no other metric that shares its prefix', () => {
    expect(samples(METRICS, 'shadowdiff_tap_dropped_total', 'reason')).toEqual({ request_too_large: 10, redis_unavailable: 5 });
    expect(samples(METRICS, 'shadowdiff_tap_mirrored_total')).toEqual({ '': 1788 });
  });

  it('holds when every request is counted once, on its way or dropped by reason', () => {
    expect(checksOf(balanced()).filter((c) => !c.held)).toEqual([]);
  });

  it('fails when a queued capture was never stored, or a request was copied twice', () => {
    const lost = balanced();
    lost.store = { ...lost.store, stored: 163, distinctIds: 163, distinctSids: 163 };
    expect(checksOf(lost).filter((c) => !c.held).map((c) => c.name)).toEqual(['captures queued (both taps) = exchanges stored + dead letters']);

    const copiedTwice = balanced();
    copiedTwice.candidate = { received: 171, distinct: 170 };
    expect(checksOf(copiedTwice).filter((c) => !c.held).map((c) => c.name)).toEqual(['copies the candidate received = distinct request ids it received']);
  });

  it('fails when a drop after mirroring was not counted', () => {
    const uncounted = balanced();
    uncounted.taps[1] = { ...uncounted.taps[1]!, dropped: { request_too_large: 5 } };
    expect(checksOf(uncounted).filter((c) => !c.held).map((c) => c.name)).toEqual(['tap 1: mirrored = captures queued + dropped after mirroring (by reason)']);
  });
});
