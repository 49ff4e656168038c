import { describe, expect, it } from 'vitest';
import { loadEmbeddedPostgres } from './embedded-postgres';

describe('loadEmbeddedPostgres', () => {
  it('leaves no handler that would exit early or with code 0', async () => {
    const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'beforeExit', 'exit'] as const;
    const before = events.map((event) => process.listenerCount(event));
    const EmbeddedPostgres = await loadEmbeddedPostgres();
    expect(typeof EmbeddedPostgres).toBe('function');
    expect(events.map((event) => process.listenerCount(event))).toEqual(before);
  });
});
