import { readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { ShadowdiffError, type Logger } from '@shadowdiff/core';

/** The repository's `migrations/` folder. */
export const MIGRATIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../migrations');

/**
 * The advisory lock held while the schema changes: by migrations, and by pruning and the making of
 * partitions, which attach and drop tables. Any fixed 64-bit number, shared by every process.
 */
export const SCHEMA_LOCK_KEY = 7_310_455_128_001;

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d{4}_[\w-]+\.sql$/.test(file))
    .sort()
    .map((file) => {
      const sql = readFileSync(join(dir, file), 'utf8');
      return {
        version: Number(file.slice(0, 4)),
        name: file.replace(/\.sql$/, ''),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
}

export interface MigrateResult {
  applied: string[];
  current: number;
}

/**
 * Applies pending migrations in order, each in its own transaction with its ledger row, while
 * holding a session advisory lock so concurrent starters never apply one twice. A landed
 * migration whose file changed stops the run: migrations are forward-only and never edited.
 */
export async function migrate(pool: pg.Pool, options: { dir?: string; logger?: Logger } = {}): Promise<MigrateResult> {
  const migrations = readMigrations(options.dir);
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [SCHEMA_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ version: number; name: string; checksum: string }>(
      'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
    );
    const landed = new Map(rows.map((row) => [row.version, row]));
    const applied: string[] = [];
    for (const migration of migrations) {
      const previous = landed.get(migration.version);
      if (previous) {
        if (previous.checksum !== migration.checksum) {
          throw new ShadowdiffError(
            'migration_changed',
            `migration ${migration.name} was changed after it was applied; add a new migration instead`,
          );
        }
        continue;
      }
      await client.query('BEGIN');
      try {
        await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
          migration.version,
          migration.name,
          migration.checksum,
        ]);
        await client.query(migration.sql);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new ShadowdiffError('migration_failed', `migration ${migration.name} failed: ${(error as Error).message}`, 500, {
          cause: error,
        });
      }
      options.logger?.info({ migration: migration.name }, 'migration applied');
      applied.push(migration.name);
    }
    return { applied, current: migrations.at(-1)?.version ?? 0 };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [SCHEMA_LOCK_KEY]).catch(() => undefined);
    client.release();
  }
}
