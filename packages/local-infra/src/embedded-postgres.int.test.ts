import { mkdtempSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from './embedded-postgres.ts';

const canConnect = async (url: string): Promise<boolean> => {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
};

const withPassword = (url: string, password: string): string => {
  const u = new URL(url);
  u.password = password;
  return u.toString();
};

describe('the embedded Postgres password', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sd-pg-password-'));
  const place = join(dir, 'postgres');
  const file = `${place}.password`;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is generated for the state folder, kept private, and the only one that works', async () => {
    const postgres = await startEmbeddedPostgres({ dir: place });
    try {
      const password = readFileSync(file, 'utf8').trim();
      expect(password.length).toBeGreaterThanOrEqual(32);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(new URL(postgres.url).password).toBe(password);
      expect(await canConnect(postgres.url)).toBe(true);
      expect(await canConnect(withPassword(postgres.url, 'shadowdiff'))).toBe(false);
      // A cluster from before per-installation passwords used the fixed one: make it so.
      const client = new pg.Client({ connectionString: postgres.adminUrl });
      await client.connect();
      await client.query("ALTER ROLE shadowdiff PASSWORD 'shadowdiff'");
      await client.end();
    } finally {
      await postgres.stop();
    }
  });

  it('replaces the old fixed password of an existing cluster with a generated one', async () => {
    unlinkSync(file);
    const postgres = await startEmbeddedPostgres({ dir: place, removeOnStop: true });
    try {
      const password = readFileSync(file, 'utf8').trim();
      expect(password).not.toBe('shadowdiff');
      expect(await canConnect(postgres.url)).toBe(true);
      expect(await canConnect(withPassword(postgres.url, 'shadowdiff'))).toBe(false);
    } finally {
      await postgres.stop();
    }
  });
});
