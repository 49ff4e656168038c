/** Response shapes of the gate and of the release validation report. */
import { z } from 'zod';
import { componentSchemas } from './components.ts';
import { findingSchema } from './findings.ts';
import { routeSummarySchema, runRefSchema, runSchema, trafficTotalsSchema, verdictCountsSchema, verdictSchema } from './responses.ts';

export const gateCheckNameSchema = z.enum([
  'exchanges',
  'difference_rate',
  'status_mismatch_rate',
  'candidate_error_rate',
  'p99_latency_ratio',
  'min_exchanges',
  'present',
  'new_fields',
]);

export const gateCheckSchema = z
  .object({
    check: gateCheckNameSchema,
    passed: z.boolean(),
    value: z.number().nullable().describe('what was observed: a rate, a ratio or a count (null when there was nothing to measure)'),
    upperBound: z.number().nullable().describe('for rates: the upper confidence bound compared with the limit'),
    limit: z.number(),
    count: z.number().nullable().describe('for rates: how many'),
    total: z.number().nullable().describe('for rates: of how many'),
    message: z.string(),
  })
  .register(componentSchemas, { id: 'GateCheck' });

export const routeGateSchema = z
  .object({
    route: z.string(),
    verdict: z.enum(['pass', 'fail', 'insufficient_data', 'missing']).describe('missing: a required route without traffic'),
    exchanges: z.number(),
    checks: z.array(gateCheckSchema),
    newFields: z.array(z.string()).describe('fields that differ now but did not in the baseline run'),
  })
  .register(componentSchemas, { id: 'RouteGate' });

export const gateResultSchema = z
  .object({
    run: runRefSchema,
    baseline: runRefSchema.nullable(),
    verdict: z.enum(['pass', 'fail']),
    reasons: z.array(z.string()).describe('one line per failed check'),
    thresholds: z.record(z.string(), z.unknown()).describe('the thresholds in force: defaults, then the run\'s, then the request\'s'),
    evaluatedAt: z.string(),
    overall: z.object({ exchanges: z.number(), checks: z.array(gateCheckSchema) }),
    routes: z.array(routeGateSchema),
    newFields: z.array(z.object({ route: z.string(), field: z.string() })),
  })
  .register(componentSchemas, { id: 'GateResult' });

const fieldCount = { route: z.string(), field: z.string(), differences: z.number() };
const driftItem = z.object({ ...fieldCount, verdict: verdictSchema });

export const releaseReportSchema = z
  .object({
    run: runSchema,
    generatedAt: z.string(),
    gate: gateResultSchema,
    overall: trafficTotalsSchema,
    endpoints: z.array(routeSummarySchema).describe('the routes, busiest first'),
    findings: z.array(findingSchema).describe('what changed, grouped by cause'),
    topFields: z.array(
      z.object({
        ...fieldCount,
        rate: z.number(),
        kinds: z.array(z.string()),
        verdict: verdictSchema,
        examples: z.array(
          z.object({
            exchangeId: z.string(),
            path: z.string(),
            kind: z.string(),
            primaryValue: z.unknown().optional().describe('absent when the candidate added the field'),
            candidateValue: z.unknown().optional().describe('absent when the candidate removed the field'),
          }),
        ),
      }),
    ),
    statusMatrix: z.object({
      primary: z.array(z.string()),
      candidate: z.array(z.string()),
      cells: z.array(z.object({ primary: z.string().describe("the primary's status, or none"), candidate: z.string().describe("the candidate's status, or how it failed"), count: z.number() })),
    }),
    schemaDrift: z.object({ added: z.array(driftItem), removed: z.array(driftItem), typeChanged: z.array(driftItem) }),
    noise: z.object({
      verdicts: verdictCountsSchema,
      fields: z
        .array(
          z.object({
            route: z.string(),
            field: z.string(),
            verdict: verdictSchema,
            basis: z.string(),
            reason: z.string().nullable(),
            rule: z.string().nullable(),
            candidateRate: z.number(),
            secondaryRate: z.number(),
          }),
        )
        .describe('fields that do not count as real, and why'),
      suspected: z.array(z.object(fieldCount)).describe('fields that count as real although every differing value looked volatile (UUID, timestamp, token)'),
    }),
  })
  .register(componentSchemas, { id: 'ReleaseReport' });
