import type { z } from 'zod';
import { listFieldDetails, type FieldDetail } from '@shadowdiff/store';
import type { ApiContext } from '../context.ts';
import type { fieldItemSchema } from '../schemas/responses.ts';
import type { RunAnalysis } from './run-analysis.ts';

/**
 * A field as listed: counters, kinds, classification and example exchanges, with its route
 * (which the API's field list leaves out: the route is in its URL).
 */
export type FieldItem = z.output<typeof fieldItemSchema> & { route: string };

/** The fields of a run (or of one route), most differing first, with what the stored differences say. */
export async function listFieldItems(ctx: ApiContext, analysis: RunAnalysis, route?: string, examples = 3): Promise<FieldItem[]> {
  return fieldItemsOf(analysis, await listFieldDetails(ctx.pool, analysis.run.id, route, examples), route);
}

/** The fields of a run (or of one route) from its analysis and its fields' details (`listFieldDetails`), read by the caller. */
export function fieldItemsOf(analysis: RunAnalysis, details: readonly FieldDetail[], route?: string): FieldItem[] {
  const detailOf = new Map(details.map((d) => [`${d.route}\u0000${d.field}`, d]));
  return analysis.fields
    .filter((f) => route === undefined || f.route === route)
    .map((f) => {
      const detail = detailOf.get(`${f.route}\u0000${f.field}`);
      const differences = f.candidate.differences - f.candidate.ignored;
      const classification =
        f.classification.verdict === 'ignored' && f.classification.rule === null && detail?.ignoredBy[0]
          ? { ...f.classification, rule: detail.ignoredBy[0] }
          : f.classification;
      return {
        route: f.route,
        field: f.field,
        differences,
        rate: f.classification.numbers.exchanges === 0 ? 0 : differences / f.classification.numbers.exchanges,
        secondaryDifferences: f.secondary.differences - f.secondary.ignored,
        ignoredWhenDiffed: f.candidate.ignored,
        kinds: (detail?.kinds ?? []).sort(),
        suspectedNoise: detail !== undefined && detail.reported > 0 && detail.suspected === detail.reported,
        classification,
        exampleExchangeIds: detail?.exampleExchangeIds ?? [],
      };
    });
}
