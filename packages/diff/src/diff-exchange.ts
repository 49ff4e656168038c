/**
 * The entry point of the engine: one capture in, its differences out.
 */
import { type Capture, type CapturedResponse, type ShadowSide, templateRoute } from '@shadowdiff/core';
import { compareBodies } from './compare-body.ts';
import { compareHeaders } from './compare-headers.ts';
import { type CompiledOptions, compiledOptionsOf } from './options.ts';
import type { RawDifference } from './raw-difference.ts';
import type { ActiveRules } from './rules.ts';
import { truncateForStorage } from './truncate.ts';
import type { Difference, DiffOptions, ExchangeDiff, IgnoredDifference } from './types.ts';
import { isSuspectedNoise } from './volatile.ts';

/**
 * Compares the primary's response with the candidate's and, when captured, the secondary's.
 *
 * - Primary not `ok`: nothing to compare, no differences.
 * - Other side not `ok`: one `error` difference on `outcome` (values: the outcomes).
 * - Otherwise `status`, headers (`header.<name>`, minus `options.ignoreHeaders`) and the body
 *   (decoded, parsed by content type; skipped when either body was truncated at capture).
 *
 * Differences hidden by a rule are returned in `ignored` with the rule's name. Stored values are
 * truncated; `suspectedNoise` marks a change between two values of the same volatile shape.
 * Pure and synchronous; never throws on malformed bodies.
 */
export function diffExchange(capture: Capture, options: DiffOptions): ExchangeDiff {
  const compiled = compiledOptionsOf(options);
  const route = templateRoute(capture.request.method, capture.request.url, compiled.routePatterns);
  const result: ExchangeDiff = { route, differences: [], ignored: [] };
  if (capture.primary.outcome !== 'ok') return result;
  const rules = compiled.rules.forRoute(route);
  diffSide('candidate', capture.primary, capture.candidate, compiled, rules, result);
  if (capture.secondary) diffSide('secondary', capture.primary, capture.secondary, compiled, rules, result);
  return result;
}

function diffSide(
  side: ShadowSide,
  primary: CapturedResponse,
  other: CapturedResponse,
  compiled: CompiledOptions,
  rules: ActiveRules,
  result: ExchangeDiff,
): void {
  const raw: RawDifference[] = [];
  if (other.outcome !== 'ok') {
    raw.push({ kind: 'error', field: 'outcome', path: 'outcome', primary: primary.outcome, other: other.outcome });
  } else {
    if (primary.status !== other.status) {
      raw.push({ kind: 'status', field: 'status', path: 'status', primary: primary.status, other: other.status });
    }
    compareHeaders(primary.headers, other.headers, compiled.skipHeader, raw);
    compareBodies(
      primary,
      other,
      { maxDecodedBytes: compiled.maxDecodedBytes, maxTextLineDiffs: compiled.maxTextLineDiffs, arrayRules: rules.arrayRules },
      raw,
    );
  }
  for (const d of raw) {
    const difference = toDifference(d, side, compiled);
    const rule = rules.hiddenBy(d, side);
    if (rule === undefined) result.differences.push(difference);
    else result.ignored.push({ ...difference, rule } satisfies IgnoredDifference);
  }
}

function toDifference(d: RawDifference, side: ShadowSide, compiled: CompiledOptions): Difference {
  const difference: Difference = { side, field: d.field, path: d.path, kind: d.kind };
  if (d.primary !== undefined) difference.primary = truncateForStorage(d.primary, compiled.truncateLimits);
  if (d.other !== undefined) difference.other = truncateForStorage(d.other, compiled.truncateLimits);
  if (d.kind === 'changed' && isSuspectedNoise(d.primary, d.other)) difference.suspectedNoise = true;
  return difference;
}
