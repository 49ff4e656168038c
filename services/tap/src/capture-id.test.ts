import { describe, expect, it } from 'vitest';
import { captureSchema } from '@shadowdiff/core';
import { fastCaptureId } from './capture-id.ts';

describe('capture ids', () => {
  it('are UUIDv7: time-ordered, version 7, RFC variant, unique', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => fastCaptureId(1_700_000_000_000 + i));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(fastCaptureId(0x0123456789ab).startsWith('01234567-89ab-7')).toBe(true);
    expect(captureSchema.shape.id.safeParse(fastCaptureId()).success).toBe(true);
  });
});
