/**
 * Response shapes: the OpenAPI document is generated from them, the server's types are inferred
 * from them, and the tests check answers against them. Ids are there for drill-down:
 * run → route → field → difference → exchange.
 */
import { z } from 'zod';
import { TRIAGE_STATES } from '@shadowdiff/store';
import { componentSchemas } from './components.ts';

export const runRefSchema = z.object({ id: z.uuid(), name: z.string() }).register(componentSchemas, { id: 'RunRef' });

export const runSchema = z
  .object({
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
    trafficSources: z.array(z.string()).describe('where its traffic came from: inline tap, mesh recorders, replay of <recording>, in the order first seen'),
    kept: z.boolean().describe('a kept run (a baseline) is never pruned, whatever the age of its exchanges'),
    prunedAt: z.string().nullable().describe('when a prune last removed exchanges of the run older than the retention (its counters still count them), or null'),
  })
  .register(componentSchemas, { id: 'Run' });

const resultLag = z
  .object({
    seconds: z.number().describe('age of the oldest capture waiting for a worker (0: none waiting)'),
    behind: z.boolean().describe('more than api.maxResultLagSeconds'),
    warning: z.string().nullable().describe('what a reader should know when behind'),
  })
  .register(componentSchemas, { id: 'ResultLag' });

export const resultLagSchema = resultLag
  .nullable()
  .describe('an active run: how far its results lag the traffic (the queue is shared, so every active run lags alike); null for a closed run, or when the API cannot read the queue');

export const runDetailSchema = runSchema.extend({ resultLag: resultLagSchema }).register(componentSchemas, { id: 'RunDetail' });

export const runListSchema = z
  .object({
    items: z.array(
      runSchema.extend({
        resultLag: resultLagSchema,
        exchanges: z.number(),
        withDifferences: z.number().describe('exchanges with differences reported when diffed (before read-time rules, triage and noise)'),
        realDifferenceRate: z.number().nullable().optional().describe('with summary=true: share of exchanges with a real difference'),
        verdict: z.enum(['pass', 'fail']).nullable().optional().describe('with summary=true: the gate verdict now'),
      }),
    ),
  })
  .register(componentSchemas, { id: 'RunList' });

/** A run as the API answers it: created, changed, closed or kept. */
export type ApiRun = z.output<typeof runSchema>;

/** The runs list (`GET /runs`), with the summary fields when asked for. */
export type RunList = z.output<typeof runListSchema>;

/** A field's standing: only `real` counts as a real difference; `insufficient_data` means the evidence does not decide yet. */
export const verdictSchema = z.enum(['real', 'noise', 'expected', 'ignored', 'insufficient_data']).register(componentSchemas, { id: 'Verdict' });

/** How many fields have each verdict: every verdict present, so clients need not guess a missing one. */
export const verdictCountsSchema = z
  .object(Object.fromEntries(verdictSchema.options.map((v) => [v, z.number()])) as Record<z.output<typeof verdictSchema>, z.ZodNumber>)
  .register(componentSchemas, { id: 'VerdictCounts' });

const percentiles = z
  .object({ p50: z.number().nullable(), p95: z.number().nullable(), p99: z.number().nullable() })
  .register(componentSchemas, { id: 'Percentiles' });

export const latencyComparisonSchema = z
  .object({
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
  })
  .register(componentSchemas, { id: 'LatencyComparison' });

export const trafficTotalsSchema = z
  .object({
    exchanges: z.number(),
    differingExchanges: z.number().describe('exchanges with at least one real difference'),
    differenceRate: z.number(),
    statusMismatches: z.number(),
    statusMismatchRate: z.number(),
    candidateErrors: z.number().describe("the candidate's 5xx answers, timeouts, refused and reset connections"),
    candidateErrorRate: z.number(),
    errors: z.object({ status5xx: z.number(), timeout: z.number(), refused: z.number(), other: z.number() }),
    secondaryExchanges: z.number(),
    latency: latencyComparisonSchema,
  })
  .register(componentSchemas, { id: 'TrafficTotals' });

export const routeSummarySchema = trafficTotalsSchema
  .extend({ route: z.string(), fields: verdictCountsSchema.describe('how many of its differing fields have each verdict') })
  .register(componentSchemas, { id: 'RouteSummary' });

export const routeListSchema = z
  .object({
    run: runRefSchema,
    overall: trafficTotalsSchema,
    items: z.array(routeSummarySchema.extend({ links: z.object({ fields: z.string(), differences: z.string() }) })),
  })
  .register(componentSchemas, { id: 'RouteList' });

const interval = z.object({ low: z.number(), high: z.number() });

export const classificationSchema = z
  .object({
    verdict: verdictSchema,
    basis: z
      .enum(['rule', 'triage', 'never_noise', 'secondary', 'no_secondary', 'learned'])
      .describe('what decided the verdict; learned: judged noise in an earlier run of the same service (reason names it), until this run decides'),
    countsAsReal: z.boolean().describe("the field's differences count as real differences of its route"),
    rule: z.string().nullable().describe('the rule that hides the field, when basis is rule'),
    reason: z.string().nullable().describe("the person's reason, when basis is triage"),
    numbers: z.object({
      exchanges: z.number(),
      candidateDifferences: z.number(),
      candidateRate: z.number(),
      secondaryExchanges: z.number(),
      secondaryDifferences: z.number(),
      secondaryRate: z.number(),
      excess: z.number().describe('candidateRate − secondaryRate'),
      candidateBound: interval.describe('Wilson interval of candidateRate at the noise confidence'),
      secondaryBound: interval.describe('Wilson interval of secondaryRate at the noise confidence'),
    }),
  })
  .register(componentSchemas, { id: 'Classification' });

export const fieldItemSchema = z
  .object({
    field: z.string(),
    differences: z.number().describe('exchanges in which the field differed, primary vs candidate (not hidden when diffed)'),
    rate: z.number(),
    secondaryDifferences: z.number(),
    ignoredWhenDiffed: z.number(),
    kinds: z.array(z.string()),
    suspectedNoise: z.boolean().describe('every reported difference had volatile-looking values (UUID, timestamp, token)'),
    classification: classificationSchema,
    exampleExchangeIds: z.array(z.string()),
  })
  .register(componentSchemas, { id: 'FieldItem' });

export const fieldListSchema = z
  .object({ run: runRefSchema, route: z.string(), exchanges: z.number(), items: z.array(fieldItemSchema) })
  .register(componentSchemas, { id: 'FieldList' });

export const differenceSchema = z
  .object({
    id: z.number(),
    exchangeId: z.string(),
    route: z.string(),
    side: z.enum(['candidate', 'secondary']),
    field: z.string(),
    path: z.string(),
    kind: z.string(),
    primaryValue: z.unknown(),
    otherValue: z.unknown(),
    suspectedNoise: z.boolean(),
    ignoredBy: z.string().nullable().describe('rule hiding it, when diffed or now'),
    verdict: verdictSchema.nullable(),
    capturedAt: z.string(),
  })
  .register(componentSchemas, { id: 'Difference' });

export const differencePageSchema = z
  .object({
    run: runRefSchema,
    items: z.array(differenceSchema),
    nextCursor: z.string().nullable().describe('pass back as cursor; stays valid to poll for differences stored later'),
    hasMore: z.boolean(),
  })
  .register(componentSchemas, { id: 'DifferencePage' });

const presentedBody = z
  .object({
    encoding: z.enum(['text', 'base64']).describe('text: the body uncompressed and decoded in the charset of its Content-Type (UTF-8 when none); base64: bytes that are not text'),
    text: z.string().optional(),
    json: z.unknown().optional().describe('the text parsed, when it is JSON'),
    base64: z.string().optional(),
    size: z.number().describe('bytes seen on the wire, which may exceed what was kept'),
    truncated: z.boolean(),
  })
  .register(componentSchemas, { id: 'PresentedBody' });

/** A captured request or response as the API shows it: its body decoded for reading. */
export const presentedCapturedSchema = z
  .looseObject({
    headers: z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional(),
    body: presentedBody.optional(),
    outcome: z.string().optional(),
    error: z.string().optional().describe('why the call failed, when outcome is not ok'),
  })
  .nullable()
  .describe('as captured, the body presented for reading; null when storage economy dropped it');

const side = z.object({
  status: z.number().nullable(),
  outcome: z.string().optional().describe('ok, timeout, refused, reset or error (not given for the primary, which answered the client)'),
  latencyMs: z.number().nullable(),
  captured: presentedCapturedSchema,
});

export const exchangeSchema = z
  .object({
    id: z.string(),
    runId: z.string(),
    runName: z.string(),
    capturedAt: z.string(),
    method: z.string(),
    url: z.string(),
    route: z.string(),
    request: presentedCapturedSchema,
    responses: z.object({ primary: side, candidate: side, secondary: side.nullable() }),
    differences: z.array(differenceSchema),
  })
  .register(componentSchemas, { id: 'Exchange' });

export const triageSchema = z
  .object({
    route: z.string(),
    field: z.string(),
    state: z.enum(TRIAGE_STATES),
    reason: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .register(componentSchemas, { id: 'Triage' });

export const rulesSchema = z
  .object({
    run: runRefSchema,
    rules: z.array(z.unknown()).describe("the run's own rules"),
    configured: z.array(z.unknown()).describe('rules configured for every run'),
    triage: z.array(triageSchema),
  })
  .register(componentSchemas, { id: 'Rules' });

export const deadLetterPageSchema = z
  .object({
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
  })
  .register(componentSchemas, { id: 'DeadLetterPage' });
