/**
 * Response shapes, documented in the OpenAPI document and checked by the tests. Ids are there
 * for drill-down: run → route → field → difference → exchange.
 */
import { z } from 'zod';

export const runRefSchema = z.object({ id: z.uuid(), name: z.string() });

export const runSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  service: z.string().nullable(),
  primaryLabel: z.string().nullable(),
  candidateLabel: z.string().nullable(),
  state: z.enum(['active', 'closed']),
  rules: z.array(z.unknown()),
  thresholds: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  closedAt: z.string().nullable(),
});

export const resultLagSchema = z
  .object({
    seconds: z.number().describe('age of the oldest capture waiting for a worker (0: none waiting)'),
    behind: z.boolean().describe('more than api.maxResultLagSeconds'),
    warning: z.string().nullable().describe('what a reader should know when behind'),
  })
  .nullable()
  .describe('an active run: how far its results lag the traffic (the queue is shared, so every active run lags alike); null for a closed run, or when the API cannot read the queue');

export const runDetailSchema = runSchema.extend({ resultLag: resultLagSchema });

export const runListSchema = z.object({
  items: z.array(
    runSchema.extend({
      resultLag: resultLagSchema,
      exchanges: z.number(),
      withDifferences: z.number().describe('exchanges with differences reported when diffed (before read-time rules, triage and noise)'),
      realDifferenceRate: z.number().nullable().optional().describe('with summary=true: share of exchanges with a real difference'),
      verdict: z.enum(['pass', 'fail']).nullable().optional().describe('with summary=true: the gate verdict now'),
    }),
  ),
});

const percentiles = z.object({ p50: z.number().nullable(), p95: z.number().nullable(), p99: z.number().nullable() });

const totals = {
  exchanges: z.number(),
  differingExchanges: z.number().describe('exchanges with at least one real difference'),
  differenceRate: z.number(),
  statusMismatches: z.number(),
  statusMismatchRate: z.number(),
  candidateErrors: z.number(),
  candidateErrorRate: z.number(),
  errors: z.object({ status5xx: z.number(), timeout: z.number(), refused: z.number(), other: z.number() }),
  secondaryExchanges: z.number(),
  latency: z.object({
    basis: z.enum(['secondary', 'control', 'primary']).describe('what the candidate is timed against: a secondary or control copy sent with it (alike), or the served primary (not alike: indicative only)'),
    samples: z.number().describe('exchanges in the comparison'),
    primary: percentiles.describe('the served primary'),
    reference: percentiles.describe('the reference of the ratio, per basis'),
    candidate: percentiles,
    ratio: percentiles.describe('candidate ÷ reference'),
    p99Bounds: z
      .object({ candidateLow: z.number().nullable(), referenceHigh: z.number().nullable() })
      .nullable()
      .describe("confidence bounds (one-sided 87.8% each, so that candidateLow > referenceHigh is a one-sided 95% test): the candidate's p99 is at least candidateLow, the reference's at most referenceHigh; null on the primary basis"),
  }),
};

const verdict = z.enum(['real', 'noise', 'expected', 'ignored', 'insufficient_data']);

export const routeListSchema = z.object({
  run: runRefSchema,
  overall: z.object(totals),
  items: z.array(
    z.object({
      route: z.string(),
      ...totals,
      fields: z.record(verdict, z.number()),
      links: z.object({ fields: z.string(), differences: z.string() }),
    }),
  ),
});

const interval = z.object({ low: z.number(), high: z.number() });

export const classificationSchema = z.object({
  verdict,
  basis: z.enum(['rule', 'triage', 'never_noise', 'secondary', 'no_secondary', 'learned']).describe('learned: judged noise in an earlier run of the same service (reason names it), until this run decides'),
  countsAsReal: z.boolean(),
  rule: z.string().nullable(),
  reason: z.string().nullable(),
  numbers: z.object({
    exchanges: z.number(),
    candidateDifferences: z.number(),
    candidateRate: z.number(),
    secondaryExchanges: z.number(),
    secondaryDifferences: z.number(),
    secondaryRate: z.number(),
    excess: z.number(),
    candidateBound: interval,
    secondaryBound: interval,
  }),
});

export const fieldListSchema = z.object({
  run: runRefSchema,
  route: z.string(),
  exchanges: z.number(),
  items: z.array(
    z.object({
      field: z.string(),
      differences: z.number().describe('exchanges in which the field differed, primary vs candidate (not hidden when diffed)'),
      rate: z.number(),
      secondaryDifferences: z.number(),
      ignoredWhenDiffed: z.number(),
      kinds: z.array(z.string()),
      suspectedNoise: z.boolean().describe('every reported difference had volatile-looking values (UUID, timestamp, token)'),
      classification: classificationSchema,
      exampleExchangeIds: z.array(z.string()),
    }),
  ),
});

export const differenceSchema = z.object({
  id: z.number(),
  exchangeId: z.string(),
  route: z.string(),
  side: z.string(),
  field: z.string(),
  path: z.string(),
  kind: z.string(),
  primaryValue: z.unknown(),
  otherValue: z.unknown(),
  suspectedNoise: z.boolean(),
  ignoredBy: z.string().nullable().describe('rule hiding it, when diffed or now'),
  verdict: verdict.nullable(),
  capturedAt: z.string(),
});

export const differencePageSchema = z.object({
  run: runRefSchema,
  items: z.array(differenceSchema),
  nextCursor: z.string().nullable().describe('pass back as cursor; stays valid to poll for differences stored later'),
  hasMore: z.boolean(),
});

export const exchangeSchema = z.looseObject({
  id: z.string(),
  runId: z.string(),
  runName: z.string(),
  route: z.string(),
  request: z.unknown(),
  responses: z.object({ primary: z.looseObject({}), candidate: z.looseObject({}), secondary: z.looseObject({}).nullable() }),
  differences: z.array(differenceSchema),
});

export const triageSchema = z.object({
  route: z.string(),
  field: z.string(),
  state: z.enum(['noise', 'expected', 'real']),
  reason: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const rulesSchema = z.object({
  run: runRefSchema,
  rules: z.array(z.unknown()).describe("the run's own rules"),
  configured: z.array(z.unknown()).describe('rules configured for every run'),
  triage: z.array(triageSchema),
});

export const deadLetterPageSchema = z.object({
  items: z.array(
    z.object({
      id: z.number(),
      captureId: z.string().nullable(),
      runName: z.string().nullable(),
      reason: z.string(),
      payload: z.unknown(),
      createdAt: z.string(),
    }),
  ),
  nextCursor: z.string().nullable(),
  hasMore: z.boolean(),
});

const check = z.object({
  check: z.string(),
  passed: z.boolean(),
  value: z.number().nullable(),
  upperBound: z.number().nullable(),
  limit: z.number(),
  count: z.number().nullable(),
  total: z.number().nullable(),
  message: z.string(),
});

export const gateResultSchema = z.object({
  run: runRefSchema,
  baseline: runRefSchema.nullable(),
  verdict: z.enum(['pass', 'fail']),
  reasons: z.array(z.string()),
  thresholds: z.record(z.string(), z.unknown()),
  evaluatedAt: z.string(),
  overall: z.object({ exchanges: z.number(), checks: z.array(check) }),
  routes: z.array(
    z.object({
      route: z.string(),
      verdict: z.enum(['pass', 'fail', 'insufficient_data', 'missing']),
      exchanges: z.number(),
      checks: z.array(check),
      newFields: z.array(z.string()),
    }),
  ),
  newFields: z.array(z.object({ route: z.string(), field: z.string() })),
});

const findingField = z.object({ route: z.string(), field: z.string(), verdict });

const findingSchema = z.object({
  id: z.string().describe('stable across reads: a hash of the sentence'),
  title: z.string().describe('what changed, as a sentence'),
  kind: z.enum(['status', 'rename', 'type', 'order', 'length', 'added', 'removed', 'changed']),
  verdict: verdict.describe('the most serious verdict of its fields'),
  exchanges: z.number(),
  routes: z.array(z.object({ route: z.string(), exchanges: z.number(), rate: z.number() })),
  fields: z.array(findingField).describe('its fields, each with its own verdict (see the fields view)'),
  folded: z.array(findingField).describe("a status change's body and header differences, not findings of their own"),
  examples: z.array(z.string()).describe('example exchange ids'),
});

export const findingListSchema = z.object({
  run: runRefSchema,
  items: z.array(findingSchema.extend({ links: z.object({ differences: z.array(z.string()) }) })),
});

const findingState = z.object({ title: z.string(), verdict, exchanges: z.number(), rate: z.number().describe('exchanges of its routes in which it occurred') });

export const findingComparisonSchema = z.object({
  run: runRefSchema,
  baseline: runRefSchema,
  new: z.array(findingSchema).describe('findings of the run that the baseline did not have (noise left out)'),
  gone: z.array(findingSchema).describe("the baseline's findings the run no longer has (noise left out)"),
  changed: z
    .array(z.object({ kind: z.string(), sentence: z.string(), before: findingState, after: findingState, fieldsAdded: z.array(z.string()), fieldsRemoved: z.array(z.string()) }))
    .describe('findings of both (same kind, a field in common) whose rate, verdict or fields changed'),
});
