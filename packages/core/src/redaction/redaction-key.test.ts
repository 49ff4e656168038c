import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRedactionKey } from './redaction-key.ts';

describe('redaction key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sd-key-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is generated once into the state folder, private, and reused after', () => {
    const first = loadRedactionKey({ stateDir: dir });
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(statSync(join(dir, 'redaction.key')).mode & 0o077).toBe(0);
    expect(loadRedactionKey({ stateDir: dir })).toEqual(first);
  });

  it('comes from the configured key or key file when given', () => {
    expect(loadRedactionKey({ key: 'configured-key-123', stateDir: dir }).toString()).toBe('configured-key-123');
    const file = join(dir, 'mounted', 'key');
    const created = loadRedactionKey({ keyFile: file, stateDir: dir });
    expect(readFileSync(file, 'utf8').trim()).toBe(created.toString());
  });
});
