/**
 * Two runs compared by their findings: what is new, what is gone, what changed in rate or verdict.
 * Findings are matched by kind and sentence, whatever routes they span.
 */
import type { z } from 'zod';
import type { findingChangeSchema, findingComparisonSchema, findingStateSchema } from '../schemas/findings.ts';
import type { FieldVerdict } from './classify.ts';
import type { Finding } from './findings.ts';

/** A finding as one run has it. */
export type FindingState = z.output<typeof findingStateSchema>;
/** A finding both runs have, whose rate, verdict or fields changed. */
export type FindingChange = z.output<typeof findingChangeSchema>;
/** What is new, gone and changed; the API adds the two runs. */
export type FindingComparison = Omit<z.output<typeof findingComparisonSchema>, 'run' | 'baseline'>;

/** A rate moves when it changes by this much, and by this share of itself. */
const RATE_CHANGE = { absolute: 0.05, relative: 0.25 };
const QUIET: ReadonlySet<FieldVerdict> = new Set(['noise', 'ignored']);

const sentenceOf = (f: Finding): string => f.title.replace(/ \(\d+ routes\)$/, '');
/** What a finding is about: its kind and fields, whatever routes it spans. */
const aboutOf = (f: Finding): Set<string> => new Set(f.fields.map((x) => `${f.kind}\u0000${x.field}`));
const fieldsOf = (f: Finding): Set<string> => new Set(f.fields.map((x) => x.field));

function stateOf(f: Finding): FindingState {
  const routeExchanges = f.routes.reduce((n, r) => n + (r.rate > 0 ? r.exchanges / r.rate : 0), 0);
  return { title: f.title, verdict: f.verdict, exchanges: f.exchanges, rate: routeExchanges > 0 ? f.exchanges / routeExchanges : 0 };
}

/** The first finding of `among` of the same kind sharing a field with `f`. */
const counterpart = (f: Finding, among: readonly Finding[]): Finding | undefined => {
  const about = aboutOf(f);
  return among.find((g) => [...aboutOf(g)].some((k) => about.has(k)));
};

/**
 * What `after` shows against `before`. Findings are matched by kind and a shared field, whatever
 * routes they span; a matched finding has changed when its rate moved, its verdict flipped or
 * its fields changed. Noise on both sides (or only on one) is not news.
 */
export function compareFindings(before: readonly Finding[], after: readonly Finding[]): FindingComparison {
  const comparison: FindingComparison = { new: [], gone: [], changed: [] };
  for (const f of after) {
    const earlier = counterpart(f, before);
    if (!earlier) {
      if (!QUIET.has(f.verdict)) comparison.new.push(f);
      continue;
    }
    const [was, now] = [stateOf(earlier), stateOf(f)];
    const quiet = QUIET.has(was.verdict) && QUIET.has(now.verdict);
    const delta = Math.abs(now.rate - was.rate);
    const moved = delta >= RATE_CHANGE.absolute && delta >= RATE_CHANGE.relative * Math.max(now.rate, was.rate);
    const fieldsAdded = [...fieldsOf(f)].filter((x) => !fieldsOf(earlier).has(x));
    const fieldsRemoved = [...fieldsOf(earlier)].filter((x) => !fieldsOf(f).has(x));
    if (!quiet && (moved || was.verdict !== now.verdict || fieldsAdded.length + fieldsRemoved.length > 0)) {
      comparison.changed.push({ kind: f.kind, sentence: sentenceOf(f), before: was, after: now, fieldsAdded, fieldsRemoved });
    }
  }
  for (const f of before) {
    if (!QUIET.has(f.verdict) && !counterpart(f, after)) comparison.gone.push(f);
  }
  return comparison;
}
