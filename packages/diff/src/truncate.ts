/**
 * Values stored on differences are bounded: a difference row must stay small whatever the bodies.
 */

/** Bounds applied by `truncateForStorage`. */
export interface TruncateLimits {
  /** Strings longer than this are cut and marked. */
  maxStringChars: number;
  /** Objects and arrays whose JSON would exceed this are replaced by a summary. */
  maxJsonChars: number;
}

export const DEFAULT_TRUNCATE_LIMITS: TruncateLimits = Object.freeze({ maxStringChars: 1024, maxJsonChars: 2048 });

/** `abc…[truncated, 5000 chars]` when longer than `max`; never splits a surrogate pair. */
export function truncateString(value: string, max: number): string {
  if (value.length <= max) return value;
  let end = max;
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${value.slice(0, end)}…[truncated, ${value.length} chars]`;
}

/**
 * Rough JSON size of a value, stopping as soon as it exceeds `budget` (so a huge value costs no
 * more than a small one).
 */
function exceedsBudget(value: unknown, budget: number): boolean {
  let remaining = budget;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') remaining -= v.length + 2;
    else if (Array.isArray(v)) {
      remaining -= 2 + v.length;
      if (remaining < 0) return true;
      for (const item of v) stack.push(item);
    } else if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v);
      remaining -= 2 + keys.length;
      if (remaining < 0) return true;
      for (const key of keys) {
        remaining -= key.length + 3;
        stack.push((v as Record<string, unknown>)[key]);
      }
    } else remaining -= 5;
    if (remaining < 0) return true;
  }
  return false;
}

/**
 * A copy of `value` fit for storage: long strings cut with a marker, large objects and arrays
 * replaced by `{"$truncated": "object with 50 keys"}` / `{"$truncated": "array of 120 items"}`.
 * Small values are returned unchanged.
 */
export function truncateForStorage(value: unknown, limits: TruncateLimits = DEFAULT_TRUNCATE_LIMITS): unknown {
  if (typeof value === 'string') return truncateString(value, limits.maxStringChars);
  if (value === null || typeof value !== 'object') return value;
  if (!exceedsBudget(value, limits.maxJsonChars)) return value;
  if (Array.isArray(value)) return { $truncated: `array of ${value.length} items` };
  return { $truncated: `object with ${Object.keys(value).length} keys` };
}
