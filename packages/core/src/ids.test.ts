import { describe, expect, it } from 'vitest';
import { captureSchema } from './capture.ts';
import { derivedCaptureId, keyedCaptureId } from './ids.ts';

describe('derivedCaptureId', () => {
  it('gives one key the same UUIDv7 every time, another key another, ordered by time', () => {
    const at = Date.parse('2025-03-01T12:00:00.000Z');
    const id = derivedCaptureId(at, 'run\u0000key-1');
    expect(derivedCaptureId(at, 'run\u0000key-1')).toBe(id);
    expect(derivedCaptureId(at, 'run\u0000key-2')).not.toBe(id);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(captureSchema.shape.id.safeParse(id).success).toBe(true);
    expect(derivedCaptureId(at + 1, 'run\u0000key-0') > id).toBe(true);
  });
});

describe('keyedCaptureId', () => {
  const dayOf = (id: string): string => new Date(Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16)).toISOString().slice(0, 10);

  it("carries the capture's UTC day in its time bits, whatever the key", () => {
    for (const key of ['run\u0000a', 'run\u0000b', 'other\u0000order-17']) {
      expect(dayOf(keyedCaptureId(key, '2025-03-01T00:00:00.000Z'))).toBe('2025-03-01');
      expect(dayOf(keyedCaptureId(key, '2025-03-01T23:59:59.999Z'))).toBe('2025-03-01');
    }
  });

  it('gives a key the same id on the same day, even re-stamped, and another id on another day', () => {
    const id = keyedCaptureId('run\u0000a', '2025-03-01T08:00:00.000Z');
    expect(keyedCaptureId('run\u0000a', Date.parse('2025-03-01T21:30:00.000Z'))).toBe(id);
    expect(keyedCaptureId('run\u0000b', '2025-03-01T08:00:00.000Z')).not.toBe(id);
    expect(keyedCaptureId('run\u0000a', '2025-03-02T08:00:00.000Z')).not.toBe(id);
    expect(captureSchema.shape.id.safeParse(id).success).toBe(true);
  });

  it('refuses a time that is not one', () => {
    expect(() => keyedCaptureId('run\u0000a', 'yesterday')).toThrow(/capture time/);
  });
});
