/**
 * Shapes of values that differ between any two responses (ids, clocks, tokens). A difference
 * whose two values share such a shape is flagged `suspectedNoise`; it is still reported.
 */

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const ISO_TIMESTAMP_PATTERN =
  /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const HEX_TOKEN = /^[0-9a-f]{16,}$/i;
const BASE64_TOKEN = /^[A-Za-z0-9+/_-]{20,}={0,2}$/;
const HAS_DIGIT = /\d/;
const HAS_LETTER = /[A-Za-z]/;
/** Tokens longer than this are not examined (they are bodies, not ids). */
const MAX_TOKEN_CHARS = 512;

/** 2001-09-09 .. 2100-01-01: numbers in this range are taken as epoch milliseconds. */
const EPOCH_MS_MIN = 1_000_000_000_000;
const EPOCH_MS_MAX = 4_102_444_800_000;

/** The volatile shape of a value, if it has one. */
export type VolatileShape = 'uuid' | 'iso-timestamp' | 'epoch-ms' | 'token';

/** Which volatile shape `value` has, or undefined. */
export function volatileShape(value: unknown): VolatileShape | undefined {
  if (typeof value === 'number') {
    return Number.isInteger(value) && value >= EPOCH_MS_MIN && value <= EPOCH_MS_MAX ? 'epoch-ms' : undefined;
  }
  if (typeof value !== 'string' || value.length < 16 || value.length > MAX_TOKEN_CHARS) return undefined;
  if (UUID_PATTERN.test(value)) return 'uuid';
  if (ISO_TIMESTAMP_PATTERN.test(value)) return 'iso-timestamp';
  if (!HAS_DIGIT.test(value) || !HAS_LETTER.test(value)) return undefined;
  if (HEX_TOKEN.test(value)) return 'token';
  if (value.length >= 20 && BASE64_TOKEN.test(value)) return 'token';
  return undefined;
}

/** True when both values have the same volatile shape (both UUIDs, both timestamps, both tokens). */
export function isSuspectedNoise(a: unknown, b: unknown): boolean {
  const shape = volatileShape(a);
  return shape !== undefined && shape === volatileShape(b);
}
