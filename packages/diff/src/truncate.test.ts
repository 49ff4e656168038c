import { describe, expect, it } from 'vitest';
import { truncateForStorage } from './truncate.ts';

describe('truncateForStorage', () => {
  it('keeps small values as they are', () => {
    const small = { a: [1, 2, 3], b: 'x' };
    expect(truncateForStorage(small)).toBe(small);
    expect(truncateForStorage('short')).toBe('short');
    expect(truncateForStorage(42)).toBe(42);
    expect(truncateForStorage(null)).toBe(null);
    expect(truncateForStorage(undefined)).toBe(undefined);
  });

  it('cuts long strings with a marker', () => {
    const cut = truncateForStorage('x'.repeat(5000)) as string;
    expect(cut).toBe(`${'x'.repeat(1024)}…[truncated, 5000 chars]`);
  });

  it('never splits a surrogate pair', () => {
    const value = `${'a'.repeat(1023)}😀${'b'.repeat(10)}`;
    expect(truncateForStorage(value)).toBe(`${'a'.repeat(1023)}…[truncated, 1035 chars]`);
  });

  it('summarises large objects and arrays', () => {
    const wide = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`key${i}`, 'v'.repeat(50)]));
    expect(truncateForStorage(wide)).toEqual({ $truncated: 'object with 50 keys' });
    expect(truncateForStorage(Array.from({ length: 1200 }, (_, i) => i))).toEqual({ $truncated: 'array of 1200 items' });
    expect(truncateForStorage({ nested: { deep: 'y'.repeat(3000) } })).toEqual({ $truncated: 'object with 1 keys' });
  });

  it('honours custom limits', () => {
    expect(truncateForStorage('abcdef', { maxStringChars: 3, maxJsonChars: 10 })).toBe('abc…[truncated, 6 chars]');
    expect(truncateForStorage([1, 2, 3, 4, 5, 6], { maxStringChars: 3, maxJsonChars: 10 })).toEqual({
      $truncated: 'array of 6 items',
    });
  });
});
