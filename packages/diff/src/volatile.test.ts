import { describe, expect, it } from 'vitest';
import { isSuspectedNoise, volatileShape } from './volatile.ts';

describe('volatileShape', () => {
  it.each<[unknown, string | undefined]>([
    ['3f2b8c1e-9a4d-4e1f-8b2a-1c2d3e4f5a6b', 'uuid'],
    ['3F2B8C1E-9A4D-4E1F-8B2A-1C2D3E4F5A6B', 'uuid'],
    ['2025-03-01T12:34:56Z', 'iso-timestamp'],
    ['2025-03-01T12:34:56.123+02:00', 'iso-timestamp'],
    ['2025-03-01 12:34', 'iso-timestamp'],
    [1735689600000, 'epoch-ms'],
    [1735689600, undefined], // epoch seconds: too small to be taken as milliseconds
    [42, undefined],
    [1.5e12 + 0.5, undefined],
    ['deadbeef0123456789abcdef', 'token'],
    ['dGhpcyBpcyBhIHRva2VuMTIz', 'token'],
    ['abcdefABCDEF_-0123456789', 'token'],
    ['deadbeefdeadbeef', undefined], // hex letters only: no digit
    ['12345678901234567890', undefined], // digits only
    ['hello world, how are you', undefined],
    ['short1', undefined],
    ['Customer-Support-Team', undefined],
    [null, undefined],
    [{ a: 1 }, undefined],
  ])('%j → %s', (value, shape) => {
    expect(volatileShape(value)).toBe(shape);
  });

  it.each<[unknown, unknown, boolean]>([
    ['3f2b8c1e-9a4d-4e1f-8b2a-1c2d3e4f5a6b', '00000000-0000-4000-8000-000000000000', true],
    ['2025-03-01T12:34:56Z', '2025-03-01T12:34:57Z', true],
    [1735689600000, 1735689600123, true],
    ['deadbeef0123456789abcdef', 'cafebabe9876543210fedcba', true],
    ['3f2b8c1e-9a4d-4e1f-8b2a-1c2d3e4f5a6b', '2025-03-01T12:34:56Z', false],
    ['2025-03-01T12:34:56Z', 1735689600000, false],
    ['alice', 'bob', false],
    [10, 11, false],
  ])('isSuspectedNoise(%j, %j) = %s', (a, b, expected) => {
    expect(isSuspectedNoise(a, b)).toBe(expected);
  });
});
