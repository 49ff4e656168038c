import {
  countDifferingExchanges,
  listAnalysisStamps,
  listEarlierRuns,
  listFieldStats,
  listRouteStats,
  listTriage,
  type FieldKey,
  type FieldTriage,
  type Run,
  type RouteStats,
} from '@shadowdiff/store';
import type { ApiContext } from '../context.ts';
import { classifyFieldAtRead, type FieldClassification } from './classify.ts';
import { createFieldIgnorer } from './read-rules.ts';

/** One field of one route with its counters and its classification as of now. */
export interface AnalysedField {
  route: string;
  field: string;
  candidate: { differences: number; ignored: number; suspected?: number };
  secondary: { differences: number; ignored: number };
  classification: FieldClassification;
}

/** Everything known about a run's routes and fields, with rules and triage applied. */
export interface RunAnalysis {
  run: Run;
  routes: RouteStats[];
  fields: AnalysedField[];
  /** Fields with reported candidate differences that do not count as real. */
  notCounted: FieldKey[];
  /** Exchanges per route with at least one real difference (empty when not asked for). */
  differingExchanges: Map<string, number>;
  triage: FieldTriage[];
  /** Fields by `fieldKey(route, field)`. */
  byField: Map<string, AnalysedField>;
}

/** The key of `RunAnalysis.byField`. */
export const fieldKey = (route: string, field: string): string => `${route}\u0000${field}`;
const key = fieldKey;

/** Earlier runs of the same service that noise memory reads. */
const REMEMBERED_RUNS = 3;

/**
 * Noise remembered across runs: (route, field) keys that one of the service's last earlier runs
 * judged noise, by its own statistics or a person's mark, each with the newest such run's name.
 * Fields that were real there are not remembered: every run judges those afresh. What an earlier
 * run taught is kept (`ctx.noiseMemory`) while its stored exchanges, triage marks and rules stay
 * the same, so a read does not classify every field of each earlier run again.
 */
async function learnedNoise(ctx: ApiContext, run: Run): Promise<Map<string, string>> {
  const learned = new Map<string, string>();
  const earlier = await listEarlierRuns(ctx.pool, run, REMEMBERED_RUNS);
  const stamps = ctx.noiseMemory && earlier.length > 0 ? await listAnalysisStamps(ctx.pool, earlier.map((r) => r.id)) : new Map<string, string>();
  const taught = await Promise.all(
    earlier.map(async (r) => {
      const stamp = `${stamps.get(r.id)} ${JSON.stringify(r.rules)}`;
      const kept = ctx.noiseMemory?.get(r.id, stamp);
      if (kept) return kept;
      const analysis = await analyseRun(ctx, r, { countExchanges: false, learn: false });
      const noise = analysis.fields.filter((f) => f.classification.verdict === 'noise').map((f) => key(f.route, f.field));
      ctx.noiseMemory?.set(r.id, stamp, noise);
      return noise;
    }),
  );
  // Newest first: the first run to have judged a field noise is the one named.
  earlier.forEach((r, i) => {
    for (const k of taught[i]!) if (!learned.has(k)) learned.set(k, r.name);
  });
  return learned;
}

/**
 * Classifies every field of a run from its counters, the rules (configured and the run's own)
 * and the triage marks as they are now, then counts exchanges with real differences per route.
 */
export async function analyseRun(ctx: ApiContext, run: Run, options: { countExchanges?: boolean; learn?: boolean } = {}): Promise<RunAnalysis> {
  const [routes, fieldStats, triage, learned] = await Promise.all([
    listRouteStats(ctx.pool, run.id),
    listFieldStats(ctx.pool, run.id),
    listTriage(ctx.pool, run.id),
    options.learn === false ? new Map<string, string>() : learnedNoise(ctx, run),
  ]);
  const ignorer = createFieldIgnorer([...ctx.configuredRules, ...run.rules]);
  const routeByName = new Map(routes.map((r) => [r.route, r]));
  const triageByField = new Map(triage.map((t) => [key(t.route, t.field), t]));
  const pairs = new Map<string, AnalysedField>();
  for (const stat of fieldStats) {
    const k = key(stat.route, stat.field);
    let entry = pairs.get(k);
    if (!entry) {
      entry = { route: stat.route, field: stat.field, candidate: { differences: 0, ignored: 0 }, secondary: { differences: 0, ignored: 0 } } as AnalysedField;
      pairs.set(k, entry);
    }
    entry[stat.side] = { differences: stat.differences, ignored: stat.ignored, suspected: stat.suspected };
  }
  const fields = [...pairs.values()].map((entry) => {
    const route = routeByName.get(entry.route);
    entry.classification = classifyFieldAtRead(
      {
        field: entry.field,
        routeExchanges: route?.exchanges ?? 0,
        secondaryExchanges: route?.secondaryExchanges ?? 0,
        candidate: entry.candidate,
        secondary: entry.secondary,
        rule: ignorer.ruleFor(entry.route, entry.field),
        triage: triageByField.get(key(entry.route, entry.field)),
        learnedFrom: learned.get(key(entry.route, entry.field)),
      },
      ctx.noise,
    );
    return entry;
  });
  fields.sort((a, b) => b.candidate.differences - b.candidate.ignored - (a.candidate.differences - a.candidate.ignored) || a.route.localeCompare(b.route) || a.field.localeCompare(b.field));
  const notCounted = fields
    .filter((f) => f.candidate.differences > f.candidate.ignored && !f.classification.countsAsReal)
    .map((f) => ({ route: f.route, field: f.field }));
  // Counting differing exchanges reads every candidate difference of the run; listings that only
  // need classifications skip it.
  const differingExchanges = options.countExchanges === false ? new Map<string, number>() : await countDifferingExchanges(ctx.pool, run.id, notCounted);
  return { run, routes, fields, notCounted, differingExchanges, triage, byField: pairs };
}

/** The classification of one (route, field), or undefined when the field never differed. */
export function classificationOf(analysis: RunAnalysis, route: string, field: string): FieldClassification | undefined {
  return analysis.byField.get(fieldKey(route, field))?.classification;
}
