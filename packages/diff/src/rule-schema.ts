/**
 * The diff-rule language: one zod schema that config files, the API and rules read back from the
 * database are all parsed with; the TypeScript types are inferred from it. What a schema cannot
 * see (duplicate names, globs and regular expressions that do not compile) is checked when the
 * rules are compiled (`compileRules`).
 */
import { z } from 'zod';
import { ConfigError } from '@shadowdiff/core';

/**
 * Field globs are written like field templates: `body.meta.*` (`*` = exactly one segment),
 * `body.**` (`**` = any number of segments, including none), `body.items[*].price` (literal array
 * template), `body["a.b"]`, `body.trace*` (`*` inside a segment = any characters of that segment).
 */
export type FieldGlob = string;

const fieldGlob = z.string().min(1).max(500);
const nonBlank = /\S/;

/** Fields every rule has. */
const ruleBase = {
  /** Reported as `IgnoredDifference.rule`; unique within a run. */
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'letters, digits, ".", "_" or "-", at most 100'),
  /**
   * Limit the rule to routes matching this glob on the route string: `GET /users/*`,
   * `* /admin/**`, or an exact route `GET /users/{id}`. `*` matches within one path segment,
   * `**` across segments; without a method, any method. Absent: every route.
   */
  route: z.string().min(1).max(500).regex(nonBlank, 'must not be blank').optional(),
};

/** Hide differences on matching fields. */
export const ignoreFieldRuleSchema = z.strictObject({
  ...ruleBase,
  kind: z.literal('ignoreField'),
  fields: z.array(fieldGlob).min(1),
});

/** Hide differences on matching response headers (names, case-insensitive, `*` wildcard). */
export const ignoreHeaderRuleSchema = z.strictObject({
  ...ruleBase,
  kind: z.literal('ignoreHeader'),
  headers: z.array(z.string().min(1).regex(nonBlank, 'must not be blank')).min(1),
});

/**
 * Two numbers on a matching field are equal when `|a - b| <= max(absolute, relative * max(|a|, |b|))`
 * (either bound suffices; a missing bound counts as 0).
 */
export const numericToleranceRuleSchema = z
  .strictObject({
    ...ruleBase,
    kind: z.literal('numericTolerance'),
    field: fieldGlob,
    absolute: z.number().nonnegative().optional(),
    relative: z.number().nonnegative().optional(),
  })
  .refine((rule) => rule.absolute !== undefined || rule.relative !== undefined, 'give absolute, relative or both');

/** Compare matching arrays as multisets: order is ignored, extra/missing elements are `added`/`removed`. */
export const arrayAsSetRuleSchema = z.strictObject({ ...ruleBase, kind: z.literal('arrayAsSet'), field: fieldGlob });

/**
 * Match elements of matching arrays by the value of `key` (e.g. `id`), then compare them field by
 * field. Paths read `body.items[id=42].price`; the template stays `body.items[*].price`. Elements
 * without a primitive `key` (or with a duplicate one) are compared as a multiset.
 */
export const arrayKeyedByRuleSchema = z.strictObject({
  ...ruleBase,
  kind: z.literal('arrayKeyedBy'),
  field: fieldGlob,
  key: z.string().min(1),
});

/**
 * Two different strings on a matching field are equal when both match the format: a UUID, an
 * ISO-8601 timestamp, or `pattern` (a regular expression that must match the whole value).
 */
export const equivalentFormatRuleSchema = z
  .strictObject({
    ...ruleBase,
    kind: z.literal('equivalentFormat'),
    field: fieldGlob,
    format: z.enum(['uuid', 'iso-timestamp', 'regex']),
    /** Required when `format` is `regex`. */
    pattern: z.string().min(1).optional(),
  })
  .refine((rule) => rule.format !== 'regex' || rule.pattern !== undefined, 'format regex needs a pattern');

/**
 * Subset mode: object members present on the candidate only (kind `added`, side `candidate`) are
 * allowed. `field` limits it (default `body.**`).
 */
export const subsetRuleSchema = z.strictObject({ ...ruleBase, kind: z.literal('subset'), field: fieldGlob.optional() });

/** One comparison rule, per run and optionally per route, as written in config or posted to the API. */
export const diffRuleSchema = z.discriminatedUnion('kind', [
  ignoreFieldRuleSchema,
  ignoreHeaderRuleSchema,
  numericToleranceRuleSchema,
  arrayAsSetRuleSchema,
  arrayKeyedByRuleSchema,
  equivalentFormatRuleSchema,
  subsetRuleSchema,
]);

export type IgnoreFieldRule = z.infer<typeof ignoreFieldRuleSchema>;
export type IgnoreHeaderRule = z.infer<typeof ignoreHeaderRuleSchema>;
export type NumericToleranceRule = z.infer<typeof numericToleranceRuleSchema>;
export type ArrayAsSetRule = z.infer<typeof arrayAsSetRuleSchema>;
export type ArrayKeyedByRule = z.infer<typeof arrayKeyedByRuleSchema>;
export type EquivalentFormatRule = z.infer<typeof equivalentFormatRuleSchema>;
export type SubsetRule = z.infer<typeof subsetRuleSchema>;
/** One comparison rule (see `diffRuleSchema`). */
export type DiffRule = z.infer<typeof diffRuleSchema>;
export type DiffRuleKind = DiffRule['kind'];

/** `rules[3] (name)`: how a problem names the rule it is about. */
export function ruleLabel(index: number, rule: unknown): string {
  const name = (rule as { name?: unknown } | null)?.name;
  return `rules[${index}]${typeof name === 'string' ? ` (${name})` : ''}`;
}

/**
 * Rules as stored (a run's rules read back from the database, or any other untyped source),
 * checked against the rule language. Throws one `ConfigError` listing every problem, each naming
 * its rule: `rules[2] (cents): absolute: Too small: expected number to be >=0`.
 */
export function parseStoredRules(value: unknown): DiffRule[] {
  const result = z.array(diffRuleSchema).safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const [index, ...rest] = issue.path;
    if (typeof index !== 'number') return `rules: ${issue.message}`;
    const where = ruleLabel(index, (value as unknown[])[index]);
    return `${where}: ${rest.length > 0 ? `${rest.join('.')}: ` : ''}${issue.message}`;
  });
  throw new ConfigError(`invalid diff rules: ${problems.join('; ')}`, problems);
}
