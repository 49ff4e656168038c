import { ShadowdiffError } from '@shadowdiff/core';

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Milliseconds of a duration written as a whole number and a unit: `30d`, `12h`, `90m`, `2w`.
 * Anything else is refused with a message saying what is expected.
 */
export function parseDuration(text: string): number {
  const match = /^(\d{1,6})([mhdw])$/.exec(text.trim());
  if (!match) throw new ShadowdiffError('bad_duration', `'${text}' is not a duration: write a whole number and a unit, m, h, d or w (30d, 12h)`, 400);
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}
