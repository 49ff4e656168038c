import type { z } from 'zod';
import { classifyField, type NoiseThresholds } from '@shadowdiff/diff';
import type { FieldTriage } from '@shadowdiff/store';
import type { classificationSchema, verdictSchema } from '../schemas/responses.ts';

/**
 * A field's standing. Only `real` counts as a real difference; `insufficient_data` (the
 * evidence does not decide yet) is a state of its own, and `noise`, `expected` and `ignored` do not count.
 */
export type FieldVerdict = z.output<typeof verdictSchema>;

/** A field's verdict, what decided it, and the numbers behind it (as the API answers it). */
export type FieldClassification = z.output<typeof classificationSchema>;

/** What decided the verdict. */
export type VerdictBasis = FieldClassification['basis'];

/** The counters and rates behind a classification. */
export type FieldNumbers = FieldClassification['numbers'];

/** Whether a classification's differences count as real differences of the route. */
export const countsAsReal = (verdict: FieldVerdict, candidateDifferences: number): boolean => candidateDifferences > 0 && verdict === 'real';

/** Status and outcome differences are never noise: a different status or a failed call is a real change. */
export const NEVER_NOISE_FIELDS: ReadonlySet<string> = new Set(['status', 'outcome']);

/** Counters of one (route, field) as stored, and what applies to it when read. */
export interface FieldInput {
  field: string;
  routeExchanges: number;
  secondaryExchanges: number;
  /** Exchanges in which the field differed primary vs candidate, and of those hidden by a rule when diffed. */
  candidate: { differences: number; ignored: number; suspected?: number };
  secondary: { differences: number; ignored: number };
  /** The read-time rule that hides it, if any. */
  rule: string | undefined;
  triage: FieldTriage | undefined;
  /** The newest earlier run of the same service that judged this field noise, if any. */
  learnedFrom?: string | undefined;
}

/**
 * Classifies one field. Order: a rule hides it; else a person's triage mark decides; else status
 * and outcome are real; else the secondary's (or control copies') counters decide (noise
 * statistics); with neither, a field is real unless every difference looked volatile, which
 * leaves it undecided (flagged, never hidden).
 */
export function classifyFieldAtRead(input: FieldInput, noise: Partial<NoiseThresholds>): FieldClassification {
  const candidateDiffs = input.candidate.differences - input.candidate.ignored;
  const secondaryDiffs = input.secondary.differences - input.secondary.ignored;
  const stats = classifyField(
    {
      exchanges: input.routeExchanges,
      candidateDiffs: Math.min(candidateDiffs, input.routeExchanges),
      secondaryDiffs: Math.min(secondaryDiffs, input.secondaryExchanges),
      secondaryExchanges: input.secondaryExchanges,
    },
    noise,
  );
  const numbers: FieldNumbers = {
    exchanges: input.routeExchanges,
    candidateDifferences: candidateDiffs,
    candidateRate: stats.candidateRate,
    secondaryExchanges: input.secondaryExchanges,
    secondaryDifferences: secondaryDiffs,
    secondaryRate: stats.secondaryRate,
    excess: stats.excess,
    candidateBound: stats.candidateBound,
    secondaryBound: stats.secondaryBound,
  };
  const result = (verdict: FieldVerdict, basis: VerdictBasis, extra: { rule?: string; reason?: string } = {}): FieldClassification => ({
    verdict,
    basis,
    countsAsReal: countsAsReal(verdict, candidateDiffs),
    rule: extra.rule ?? null,
    reason: extra.reason ?? null,
    numbers,
  });
  if (input.rule) return result('ignored', 'rule', { rule: input.rule });
  if (candidateDiffs === 0 && input.candidate.ignored > 0) return result('ignored', 'rule');
  if (input.triage) return result(input.triage.state, 'triage', { reason: input.triage.reason });
  if (NEVER_NOISE_FIELDS.has(input.field)) return result('real', 'never_noise');
  // Noise an earlier run of the service judged starts as noise here, until this run's own evidence decides.
  const learned = (): FieldClassification => result('noise', 'learned', { reason: `noise in run ${input.learnedFrom} (learned)` });
  if (input.secondaryExchanges === 0) {
    if (input.learnedFrom) return learned();
    // Nothing tells noise here. Values that all look volatile (timestamps, ids, tokens) are
    // flagged and left undecided rather than called real; add a secondary or control copies.
    const volatile = (input.candidate.suspected ?? 0) >= candidateDiffs && candidateDiffs > 0;
    return result(volatile ? 'insufficient_data' : 'real', 'no_secondary');
  }
  if (stats.verdict === 'insufficient_data' && input.learnedFrom) return learned();
  return result(stats.verdict, 'secondary');
}
