/** Response shapes of findings: differences grouped by cause, and two runs compared by them. */
import { z } from 'zod';
import { componentSchemas } from './components.ts';
import { runRefSchema, verdictSchema } from './responses.ts';

export const findingFieldSchema = z.object({ route: z.string(), field: z.string(), verdict: verdictSchema }).register(componentSchemas, { id: 'FindingField' });

export const findingKindSchema = z.enum(['status', 'rename', 'type', 'order', 'length', 'added', 'removed', 'changed']);

export const findingSchema = z
  .object({
    id: z.string().describe('stable across reads: a hash of the sentence'),
    title: z.string().describe('what changed, as a sentence'),
    kind: findingKindSchema,
    verdict: verdictSchema.describe('the most serious verdict of its fields: real, then insufficient_data, expected, noise, ignored'),
    exchanges: z.number(),
    routes: z.array(z.object({ route: z.string(), exchanges: z.number(), rate: z.number() })),
    fields: z.array(findingFieldSchema).describe('its fields, each with its own verdict (see the fields view)'),
    folded: z.array(findingFieldSchema).describe("a status change's body and header differences, not findings of their own"),
    examples: z.array(z.string()).describe('example exchange ids'),
  })
  .register(componentSchemas, { id: 'Finding' });

export const findingListSchema = z
  .object({
    run: runRefSchema,
    items: z.array(findingSchema.extend({ links: z.object({ differences: z.array(z.string()) }) })),
  })
  .register(componentSchemas, { id: 'FindingList' });

export const findingStateSchema = z.object({
  title: z.string(),
  verdict: verdictSchema,
  exchanges: z.number(),
  rate: z.number().describe('exchanges of its routes in which it occurred'),
});

export const findingChangeSchema = z.object({
  kind: findingKindSchema,
  sentence: z.string(),
  before: findingStateSchema,
  after: findingStateSchema,
  fieldsAdded: z.array(z.string()).describe('fields it now has that it did not'),
  fieldsRemoved: z.array(z.string()).describe('fields it had that it no longer has'),
});

export const findingComparisonSchema = z
  .object({
    run: runRefSchema,
    baseline: runRefSchema,
    new: z.array(findingSchema).describe('findings of the run that the baseline did not have (noise left out)'),
    gone: z.array(findingSchema).describe("the baseline's findings the run no longer has (noise left out)"),
    changed: z.array(findingChangeSchema).describe('findings of both (same kind, a field in common) whose rate, verdict or fields changed'),
  })
  .register(componentSchemas, { id: 'FindingComparison' });
