import type { Capture } from '@shadowdiff/core';
import type { Difference, ExchangeDiff } from '@shadowdiff/diff';
import { jsonbSafe, type DifferenceRecord, type ExchangeRecord } from '@shadowdiff/store';

function toDifferenceRecord(d: Difference, ignoredBy: string | null): DifferenceRecord {
  return {
    side: d.side,
    field: d.field,
    path: d.path,
    kind: d.kind,
    primaryValue: jsonbSafe(d.primary),
    otherValue: jsonbSafe(d.other),
    suspectedNoise: d.suspectedNoise ?? false,
    ignoredBy,
  };
}

/** Rows stored per exchange beyond one for each field, side, kind and rule (which the counters need). */
export const MAX_EXTRA_DIFFERENCE_ROWS = 200;

/**
 * The rows an exchange stores: one for each field, side, kind, rule and volatility (so every
 * counter reads as if all were stored), then the rest in order up to `MAX_EXTRA_DIFFERENCE_ROWS`.
 * An array of a million differing elements stores a few hundred rows, not a million.
 */
export function boundedDifferenceRows(rows: readonly DifferenceRecord[]): DifferenceRecord[] {
  const seen = new Set<string>();
  const keep: boolean[] = rows.map((d) => {
    const key = `${d.side}\u0000${d.field}\u0000${d.kind}\u0000${d.ignoredBy ?? ''}\u0000${d.suspectedNoise}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  let extra = MAX_EXTRA_DIFFERENCE_ROWS;
  return rows.filter((_, i) => keep[i] || extra-- > 0);
}

function isCandidateError(capture: Capture): boolean {
  return capture.candidate.outcome !== 'ok' || (capture.candidate.status ?? 0) >= 500;
}

/**
 * The row shape of one diffed capture. `keepBodies` decides storage economy: responses are kept
 * for exchanges with differences and for a sample of identical ones; requests always.
 */
export function toExchangeRecord(capture: Capture, runId: string, diff: ExchangeDiff, keepBodies: boolean): ExchangeRecord {
  const differences = boundedDifferenceRows([...diff.differences.map((d) => toDifferenceRecord(d, null)), ...diff.ignored.map((d) => toDifferenceRecord(d, d.rule))]);
  const keep = keepBodies || diff.differences.length > 0;
  return {
    id: capture.id,
    runId,
    capturedAt: capture.capturedAt,
    method: capture.request.method,
    url: capture.request.url,
    route: diff.route,
    primaryStatus: capture.primary.status,
    candidateStatus: capture.candidate.status,
    secondaryStatus: capture.secondary?.status ?? null,
    candidateOutcome: capture.candidate.outcome,
    secondaryOutcome: capture.secondary?.outcome ?? null,
    primaryLatencyMs: capture.primary.latencyMs,
    candidateLatencyMs: capture.candidate.latencyMs,
    secondaryLatencyMs: capture.secondary?.latencyMs ?? null,
    secondaryKind: capture.secondary ? (capture.secondaryKind ?? 'secondary') : null,
    // Every exchange keeps its request (as capped by the tap), so a stored run can be replayed.
    request: jsonbSafe(capture.request),
    primaryResponse: keep ? jsonbSafe(capture.primary) : null,
    candidateResponse: keep ? jsonbSafe(capture.candidate) : null,
    secondaryResponse: keep && capture.secondary ? jsonbSafe(capture.secondary) : null,
    differences,
    statusMismatch: capture.primary.outcome === 'ok' && capture.candidate.outcome === 'ok' && capture.candidate.status !== capture.primary.status,
    candidateError: isCandidateError(capture),
  };
}
