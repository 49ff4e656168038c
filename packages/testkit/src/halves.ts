import type { Half, HalfPairer, HalfSide, SubmitResult } from '@shadowdiff/queue';

/** One side's half of a request, as a recorder posts it: the primary's carries the request; each body names its side. */
export function testHalf(side: HalfSide, requestId: string): Half {
  return {
    side,
    requestId,
    capturedAt: new Date().toISOString(),
    ...(side === 'primary' ? { request: { method: 'GET', url: `/r/${requestId}`, headers: {}, body: { base64: '', size: 0, truncated: false } } } : {}),
    response: { outcome: 'ok', status: 200, headers: {}, body: { base64: Buffer.from(side).toString('base64'), size: side.length, truncated: false }, latencyMs: 1 },
  };
}

/**
 * Both halves of every request id submitted at once, by two pairers standing for two recorder
 * processes, the primary's half first for every other id and second for the rest.
 */
export function submitBothHalves(primaries: HalfPairer, candidates: HalfPairer, ids: readonly string[]): Promise<SubmitResult[]> {
  return Promise.all(
    ids.flatMap((id, i) =>
      i % 2 === 0
        ? [primaries.submit(testHalf('primary', id)), candidates.submit(testHalf('candidate', id))]
        : [candidates.submit(testHalf('candidate', id)), primaries.submit(testHalf('primary', id))],
    ),
  );
}
