import type { DifferenceKind } from './types.ts';

/**
 * A difference as the comparers produce it: full values (rules need them untruncated), no side.
 * `diffExchange` applies the rules, truncates the values and adds the side.
 */
export interface RawDifference {
  kind: DifferenceKind;
  field: string;
  path: string;
  /** Absent (undefined) when the field is missing on the primary. */
  primary?: unknown;
  /** Absent (undefined) when the field is missing on the other side. */
  other?: unknown;
  /** The field is an object member (not an array element): what subset mode allows to be extra. */
  member?: boolean;
}
