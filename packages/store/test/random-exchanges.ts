/** Exchanges with varied outcomes, references and latencies, for the store's integration tests. */
import { randomUUID } from 'node:crypto';
import type { ExchangeRecord } from '../src/records.ts';

export { seededRandom } from '@shadowdiff/core';

const ROUTES = [
  { route: 'GET /users/{id}', reference: 'secondary' },
  { route: 'GET /orders/{id}', reference: 'control' },
  { route: 'POST /orders', reference: null },
] as const;

/** `count` exchanges of a run over three routes: a secondary on one, control copies on another, no reference on the last. */
export function randomExchanges(runId: string, count: number, random: () => number): ExchangeRecord[] {
  const pick = <T>(choices: readonly T[]): T => choices[Math.floor(random() * choices.length)]!;
  // Log-normal around a few ms, with a tail; a few answers in no measurable time.
  const latency = (median: number): number => (random() < 0.01 ? 0 : median * Math.exp((random() + random() + random() - 1.5) * 1.5));
  return Array.from({ length: count }, () => {
    const { route, reference } = pick(ROUTES);
    const candidateOutcome = pick(['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'timeout', 'refused', 'reset', 'error']);
    const referenceAnswers = reference === 'secondary' || (reference === 'control' && random() < 0.3);
    const secondaryOutcome = referenceAnswers ? pick(['ok', 'ok', 'ok', 'ok', 'timeout', 'refused']) : null;
    return {
      id: randomUUID(),
      runId,
      capturedAt: new Date().toISOString(),
      method: route.split(' ')[0]!,
      url: route.split(' ')[1]!.replace('{id}', String(Math.floor(random() * 100))),
      route,
      primaryStatus: random() < 0.03 ? null : pick([200, 200, 200, 404, 500]),
      candidateStatus: candidateOutcome === 'ok' ? pick([200, 200, 200, 404, 500, 503]) : null,
      secondaryStatus: secondaryOutcome === 'ok' ? 200 : null,
      candidateOutcome,
      secondaryOutcome,
      primaryLatencyMs: latency(8),
      candidateLatencyMs: candidateOutcome === 'refused' ? random() : latency(10),
      secondaryLatencyMs: secondaryOutcome === null ? null : latency(8),
      secondaryKind: referenceAnswers ? (reference === 'control' ? 'control' : 'secondary') : null,
      request: null,
      primaryResponse: null,
      candidateResponse: null,
      secondaryResponse: null,
      differences: [],
      statusMismatch: false,
      candidateError: candidateOutcome !== 'ok',
    };
  });
}
