import type { Capture, RoutePattern, ShadowSide } from '@shadowdiff/core';
import type { DiffRule } from './rule-schema.ts';

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

export type { Capture };
