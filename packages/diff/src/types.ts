import type { Capture, RoutePattern, ShadowSide } from '@shadowdiff/core';

/** What kind of disagreement one difference is. */
export const DIFFERENCE_KINDS = [
  'changed',
  'added',
  'removed',
  'type_changed',
  'array_length',
  'order',
  'status',
  'invalid_body',
  'error',
] as const;
export type DifferenceKind = (typeof DIFFERENCE_KINDS)[number];

/** One field that differs between the primary and one other side in one exchange. */
export interface Difference {
  side: ShadowSide;
  /** Template with array indexes as `[*]`: `status`, `header.content-type`, `body.items[*].price`. */
  field: string;
  /** Concrete location: `body.items[3].price`. */
  path: string;
  kind: DifferenceKind;
  /** The primary's value (truncated for storage); undefined when absent on the primary. */
  primary?: unknown;
  /** The other side's value (truncated for storage); undefined when absent there. */
  other?: unknown;
  /** Both values have a volatile shape (UUID, timestamp, token): probably noise, never hidden. */
  suspectedNoise?: boolean;
}

/** A difference hidden by a rule; counted with the rule's name, never silently dropped. */
export interface IgnoredDifference extends Difference {
  rule: string;
}

export interface ExchangeDiff {
  /** `GET /users/{id}` */
  route: string;
  differences: Difference[];
  ignored: IgnoredDifference[];
}

/** Options of one comparison; built once per run (see `createDiffOptions`) and reused for every exchange. */
export interface DiffOptions {
  /**
   * Response header names (lower case) never compared: not reported, not counted as ignored. A
   * trailing `*` matches any suffix (`x-trace-*`).
   */
  ignoreHeaders: readonly string[];
  /** Configured route patterns, tried before automatic templating (`templateRoute`). */
  routePatterns?: readonly RoutePattern[];
  /** Comparison rules, applied in order; the first rule that hides a difference names it. */
  rules?: readonly DiffRule[];
  /** Bound on a decompressed body; a larger one (a compression bomb) is reported, never expanded. Default 8 MiB. */
  maxDecodedBytes?: number;
  /** At most this many differing lines are reported for one text body. Default 20. */
  maxTextLineDiffs?: number;
  /** Strings stored on a difference are cut beyond this many characters. Default 1024. */
  maxValueChars?: number;
}

/** Fields every rule has. */
export interface DiffRuleBase {
  /** Reported as `IgnoredDifference.rule`; unique within a run. */
  name: string;
  /**
   * Limit the rule to routes matching this glob on the route string: `GET /users/*`,
   * `* /admin/**`, or an exact route `GET /users/{id}`. `*` matches within one path segment
   * (or the method), `**` across segments. Absent: every route.
   */
  route?: string;
}

/**
 * Field globs are written like field templates: `body.meta.*` (`*` = exactly one segment),
 * `body.**` (`**` = any number of segments, including none), `body.items[*].price` (literal array
 * template), `body["a.b"]`, `body.trace*` (`*` inside a segment = any characters of that segment).
 */
export type FieldGlob = string;

/** Hide differences on matching fields. */
export interface IgnoreFieldRule extends DiffRuleBase {
  kind: 'ignoreField';
  fields: readonly FieldGlob[];
}

/** Hide differences on matching response headers (names, case-insensitive, `*` wildcard). */
export interface IgnoreHeaderRule extends DiffRuleBase {
  kind: 'ignoreHeader';
  headers: readonly string[];
}

/**
 * Two numbers on a matching field are equal when `|a - b| <= max(absolute, relative * max(|a|, |b|))`
 * (either bound suffices; a missing bound counts as 0).
 */
export interface NumericToleranceRule extends DiffRuleBase {
  kind: 'numericTolerance';
  field: FieldGlob;
  absolute?: number;
  relative?: number;
}

/** Compare matching arrays as multisets: order is ignored, extra/missing elements are `added`/`removed`. */
export interface ArrayAsSetRule extends DiffRuleBase {
  kind: 'arrayAsSet';
  field: FieldGlob;
}

/**
 * Match elements of matching arrays by the value of `key` (e.g. `id`), then compare them field by
 * field. Paths read `body.items[id=42].price`; the template stays `body.items[*].price`. Elements
 * without a primitive `key` (or with a duplicate one) are compared as a multiset.
 */
export interface ArrayKeyedByRule extends DiffRuleBase {
  kind: 'arrayKeyedBy';
  field: FieldGlob;
  key: string;
}

/**
 * Two different strings on a matching field are equal when both match the format: a UUID, an
 * ISO-8601 timestamp, or `pattern` (a regular expression that must match the whole value).
 */
export interface EquivalentFormatRule extends DiffRuleBase {
  kind: 'equivalentFormat';
  field: FieldGlob;
  format: 'uuid' | 'iso-timestamp' | 'regex';
  /** Required when `format` is `regex`. */
  pattern?: string;
}

/**
 * Subset mode: object members present on the candidate only (kind `added`, side `candidate`) are
 * allowed. `field` limits it (default `body.**`).
 */
export interface SubsetRule extends DiffRuleBase {
  kind: 'subset';
  field?: FieldGlob;
}

/** One comparison rule, per run and optionally per route. */
export type DiffRule =
  | IgnoreFieldRule
  | IgnoreHeaderRule
  | NumericToleranceRule
  | ArrayAsSetRule
  | ArrayKeyedByRule
  | EquivalentFormatRule
  | SubsetRule;

export type DiffRuleKind = DiffRule['kind'];

export type { Capture };
