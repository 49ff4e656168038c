import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.ts';

describe('parseDuration', () => {
  it('reads minutes, hours, days and weeks', () => {
    expect(parseDuration('30d')).toBe(30 * 86_400_000);
    expect(parseDuration('12h')).toBe(12 * 3_600_000);
    expect(parseDuration('90m')).toBe(90 * 60_000);
    expect(parseDuration(' 2w ')).toBe(14 * 86_400_000);
    expect(parseDuration('0d')).toBe(0);
  });

  it('refuses what is not a whole number and a unit, saying what is expected', () => {
    for (const bad of ['30', 'd', '1.5d', '-3d', '30 days', '3y', '']) expect(() => parseDuration(bad)).toThrow(/whole number and a unit/);
  });
});
