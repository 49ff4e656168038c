import type { Capture, ShadowSide } from '@shadowdiff/core';

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

/** Options of one comparison; built once per run and reused for every exchange. */
export interface DiffOptions {
  /** Response header names (lower case) never compared. */
  ignoreHeaders: readonly string[];
}

export type { Capture };
