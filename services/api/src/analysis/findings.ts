/**
 * Findings: what changed, in a handful of sentences instead of a list of fields. Differences that
 * occur in the same exchanges are one finding; a status change takes in the body and header
 * differences of its exchanges; a field removed and another added with equal values is a rename;
 * the same finding with the same verdict on several routes is one finding across them.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { DifferenceSample, DifferenceSignature } from '@shadowdiff/store';
import type { findingFieldSchema, findingKindSchema, findingSchema } from '../schemas/findings.ts';
import type { FieldVerdict } from './classify.ts';

export type FindingKind = z.output<typeof findingKindSchema>;
export type FindingField = z.output<typeof findingFieldSchema>;
/** What changed, as a sentence, with its verdict, routes, fields and example exchanges. */
export type Finding = z.output<typeof findingSchema>;

export interface FindingInput {
  routeExchanges: ReadonlyMap<string, number>;
  /** Every field's verdict as the run's analysis has it now. */
  fields: readonly FindingField[];
  signatures: readonly DifferenceSignature[];
  samples: readonly DifferenceSample[];
}

/** Fields that differ together in at least this share of the exchanges where either differs are one finding. */
const CO_OCCURRENCE = 0.8;
const SEVERITY: readonly FieldVerdict[] = ['real', 'insufficient_data', 'expected', 'noise', 'ignored'];
const worst = (verdicts: readonly FieldVerdict[]): FieldVerdict => SEVERITY.find((v) => verdicts.includes(v)) ?? 'ignored';

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

const list = (fields: readonly string[]): string => fields.join(', ');
const plural = (n: number, one: string, many: string): string => (n === 1 ? one : many);

/** A route's finding before findings are merged across routes. */
interface Draft {
  kind: FindingKind;
  /** The sentence without routes; equal sentences merge across routes. */
  title: string;
  route: string;
  fields: string[];
  folded: string[];
  exchanges: number;
  /** Its fields' most serious verdict on this route: drafts merge across routes only with the same one. */
  verdict: FieldVerdict;
}

/** The commonest kind among samples outside `exclude` (a status change's exchanges), else among all. */
function kindOf(samples: readonly DifferenceSample[], exclude: ReadonlySet<string>): string {
  const commonest = (of: readonly DifferenceSample[]): string | undefined => {
    const counts = new Map<string, number>();
    for (const s of of) counts.set(s.kind, (counts.get(s.kind) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
  };
  return commonest(samples.filter((s) => !exclude.has(s.exchangeId))) ?? commonest(samples) ?? 'changed';
}

/** Sentence of a group of fields of one kind. */
function describe(kind: string, fields: string[], samples: (field: string) => DifferenceSample[]): { kind: FindingKind; title: string } {
  const headers = fields.every((f) => f.startsWith('header.'));
  const names = headers ? fields.map((f) => f.slice('header.'.length)) : fields;
  const noun = headers ? plural(fields.length, 'header', 'headers') : plural(fields.length, 'field', 'fields');
  switch (kind) {
    case 'type_changed': {
      const pairs = [...new Set(fields.flatMap((f) => samples(f).map((s) => `${jsonType(s.primaryValue)} → ${jsonType(s.otherValue)}`)))];
      return { kind: 'type', title: `type ${pairs.join(', ') || 'changed'} on ${list(fields)}` };
    }
    case 'order':
      return { kind: 'order', title: `array order changed on ${list(fields)}` };
    case 'array_length':
      return { kind: 'length', title: `array length changed on ${list(fields)}` };
    case 'added':
      return { kind: 'added', title: `${noun} added: ${list(names)}` };
    case 'removed':
      return { kind: 'removed', title: `${noun} removed: ${list(names)}` };
    default:
      return { kind: 'changed', title: `${headers ? 'header' : 'value'} changed on ${list(names)}` };
  }
}

/** Whether the two fields carried equal values in the exchanges sampled for both. */
function sameValues(removed: DifferenceSample[], added: DifferenceSample[]): boolean {
  const byExchange = new Map(added.map((s) => [s.exchangeId, JSON.stringify(s.otherValue)]));
  const common = removed.filter((s) => byExchange.has(s.exchangeId));
  return common.length > 0 && common.every((s) => JSON.stringify(s.primaryValue) === byExchange.get(s.exchangeId));
}

/** One route's drafts: the status finding first, then groups of fields that differ together. */
function draftRoute(route: string, signatures: DifferenceSignature[], samples: (field: string) => DifferenceSample[], verdictOf: (field: string) => FieldVerdict): Omit<Draft, 'verdict'>[] {
  const drafts: Omit<Draft, 'verdict'>[] = [];
  const withStatus = signatures.filter((s) => s.fields.includes('status'));
  if (withStatus.length > 0) {
    const pairs = [...new Set(samples('status').map((s) => `${String(s.primaryValue)} → ${String(s.otherValue)}`))];
    const folded = [...new Set(withStatus.flatMap((s) => s.fields))].filter((f) => f !== 'status').sort();
    const exchanges = withStatus.reduce((n, s) => n + s.exchanges, 0);
    const body = folded.some((f) => f.startsWith('body')) ? ' (body replaced)' : '';
    drafts.push({ kind: 'status', title: `status ${pairs.join(', ') || 'changed'}${body}`, route, fields: ['status'], folded, exchanges });
  }
  const failing = new Set(samples('status').map((s) => s.exchangeId));
  // Asked again for every pair of fields compared: each worked out once.
  const kinds = new Map<string, string>();
  const kind = (field: string): string => kinds.get(field) ?? kinds.set(field, kindOf(samples(field), failing)).get(field)!;
  const rest = signatures.filter((s) => !s.fields.includes('status'));
  const count = new Map<string, number>();
  for (const s of rest) for (const f of s.fields) count.set(f, (count.get(f) ?? 0) + s.exchanges);
  // Exchanges in which both fields of a pair differed, summed over the signatures once rather
  // than per pair asked; by the pair's first field, then its second (no key string made per pair).
  const pairs = new Map<string, Map<string, number>>();
  for (const s of rest) {
    const fields = [...new Set(s.fields)];
    for (let i = 0; i < fields.length; i++) {
      for (let j = i + 1; j < fields.length; j++) {
        const [a, b] = fields[i]! < fields[j]! ? [fields[i]!, fields[j]!] : [fields[j]!, fields[i]!];
        let withA = pairs.get(a);
        if (!withA) pairs.set(a, (withA = new Map()));
        withA.set(b, (withA.get(b) ?? 0) + s.exchanges);
      }
    }
  }
  const together = (a: string, b: string): number => (a === b ? (count.get(a) ?? 0) : ((a < b ? pairs.get(a)?.get(b) : pairs.get(b)?.get(a)) ?? 0));
  const fields = [...count.keys()].filter((f) => verdictOf(f) !== 'ignored').sort();

  // Renames: a field removed and one added, differing together, with equal values.
  const renamed = new Set<string>();
  for (const removed of fields.filter((f) => kind(f) === 'removed')) {
    const added = fields.find((f) => !renamed.has(f) && kind(f) === 'added' && together(removed, f) >= CO_OCCURRENCE * Math.max(count.get(removed)!, count.get(f)!) && sameValues(samples(removed), samples(f)));
    if (!added) continue;
    renamed.add(removed).add(added);
    drafts.push({ kind: 'rename', title: `field renamed ${removed} → ${added} (same values)`, route, fields: [removed, added], folded: [], exchanges: count.get(removed)! });
  }

  // The rest: fields of one kind and verdict that differ together.
  const groups: string[][] = [];
  for (const field of fields.filter((f) => !renamed.has(f))) {
    const group = groups.find((g) => {
      const first = g[0]!;
      const union = count.get(first)! + count.get(field)! - together(first, field);
      return kind(first) === kind(field) && verdictOf(first) === verdictOf(field) && together(first, field) >= CO_OCCURRENCE * union;
    });
    if (group) group.push(field);
    else groups.push([field]);
  }
  // Each field's group, so that a signature's exchanges are added to each group it touches once.
  const groupOf = new Map<string, number>();
  groups.forEach((group, g) => group.forEach((f) => groupOf.set(f, g)));
  const exchanges = new Array<number>(groups.length).fill(0);
  for (const s of rest) {
    const touched = new Set<number>();
    for (const f of s.fields) {
      const g = groupOf.get(f);
      if (g !== undefined) touched.add(g);
    }
    for (const g of touched) exchanges[g]! += s.exchanges;
  }
  groups.forEach((group, g) => drafts.push({ ...describe(kind(group[0]!), group, samples), route, fields: group, folded: [], exchanges: exchanges[g]! }));
  return drafts;
}

/** The first `n` distinct exchanges among the samples of the drafts' fields, in order: a walk that stops once it has them. */
function firstExchanges(drafts: readonly Draft[], samplesOf: (route: string, field: string) => DifferenceSample[], n: number): string[] {
  const found = new Set<string>();
  for (const d of drafts) {
    for (const f of d.fields) {
      for (const s of samplesOf(d.route, f)) {
        found.add(s.exchangeId);
        if (found.size === n) return [...found];
      }
    }
  }
  return [...found];
}

/** A type change is one finding across routes whatever the fields; anything else when its sentence is the same. */
const sentenceKey = (draft: Draft): string => (draft.kind === 'type' ? draft.title.replace(/ on .*$/, '') : draft.title);
const mergeKey = (draft: Draft): string => `${draft.kind}\u0000${draft.verdict}\u0000${sentenceKey(draft)}`;

/** Items folded by route, then field: looked up per field many times over, with no key string made per look-up. */
function byRouteField<T extends { route: string; field: string }, V>(items: readonly T[], fold: (current: V | undefined, item: T) => V): Map<string, Map<string, V>> {
  const out = new Map<string, Map<string, V>>();
  for (const item of items) {
    let byField = out.get(item.route);
    if (!byField) out.set(item.route, (byField = new Map()));
    byField.set(item.field, fold(byField.get(item.field), item));
  }
  return out;
}

/** The run's findings, most exchanges first. */
export function buildFindings(input: FindingInput): Finding[] {
  const sampleMap = byRouteField(input.samples, (list: DifferenceSample[] | undefined, s) => (list ? (list.push(s), list) : [s]));
  const verdicts = byRouteField(input.fields, (_: FieldVerdict | undefined, f) => f.verdict);
  const samplesOf = (route: string, field: string): DifferenceSample[] => sampleMap.get(route)?.get(field) ?? [];
  const verdictOn = (route: string, field: string): FieldVerdict => verdicts.get(route)?.get(field) ?? 'insufficient_data';
  const byRoute = new Map<string, DifferenceSignature[]>();
  for (const s of input.signatures) {
    const list = byRoute.get(s.route);
    if (list) list.push(s);
    else byRoute.set(s.route, [s]);
  }

  const merged = new Map<string, Draft[]>();
  for (const [route, signatures] of byRoute) {
    const routeSamples = sampleMap.get(route);
    const routeVerdicts = verdicts.get(route);
    const samples = (field: string): DifferenceSample[] => routeSamples?.get(field) ?? [];
    const verdictOf = (field: string): FieldVerdict => routeVerdicts?.get(field) ?? 'insufficient_data';
    for (const partial of draftRoute(route, signatures, samples, verdictOf)) {
      const draft = { ...partial, verdict: worst(partial.fields.map(verdictOf)) };
      const k = mergeKey(draft);
      const list = merged.get(k);
      if (list) list.push(draft);
      else merged.set(k, [draft]);
    }
  }

  const findings = [...merged.values()].map((drafts): Finding => {
    const first = drafts[0]!;
    const fieldsOf = (pick: (d: Draft) => string[]): FindingField[] =>
      drafts.flatMap((d) => pick(d).map((field) => ({ route: d.route, field, verdict: verdictOn(d.route, field) })));
    const fields = fieldsOf((d) => d.fields);
    const names = [...new Set(fields.map((f) => f.field))].sort();
    const title = first.kind === 'type' ? `${sentenceKey(first)} on ${list(names)}` : first.title;
    const routes = drafts.map((d) => ({ route: d.route, exchanges: d.exchanges, rate: d.exchanges / Math.max(1, input.routeExchanges.get(d.route) ?? 0) }));
    const examples = firstExchanges(drafts, samplesOf, 3);
    return {
      id: createHash('sha256').update(`${first.kind}\u0000${first.verdict}\u0000${title}`).digest('hex').slice(0, 16),
      title: drafts.length > 1 ? `${title} (${drafts.length} routes)` : title,
      kind: first.kind,
      verdict: worst(fields.map((f) => f.verdict)),
      exchanges: routes.reduce((n, r) => n + r.exchanges, 0),
      routes,
      fields,
      folded: fieldsOf((d) => d.folded),
      examples,
    };
  });
  return findings.sort((a, b) => SEVERITY.indexOf(a.verdict) - SEVERITY.indexOf(b.verdict) || b.exchanges - a.exchanges || a.title.localeCompare(b.title));
}
