import { describe, expect, it } from 'vitest';
import { captureSchema } from './capture.ts';
import { derivedCaptureId } from './ids.ts';

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
