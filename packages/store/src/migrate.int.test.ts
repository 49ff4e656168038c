import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@shadowdiff/testkit';
import { migrate, readMigrations } from './migrate.ts';

describe('migrate', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(inject('pgAdminUrl'), { migrate: false });
  });
  afterAll(() => db.drop());

  it('applies every migration to an empty database, then nothing on a second run', async () => {
    const files = readMigrations();
    expect(files.length).toBeGreaterThan(0);

    const first = await migrate(db.pool);
    expect(first.applied).toEqual(files.map((f) => f.name));

    const { rows: tables } = await db.pool.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(['runs', 'exchanges', 'differences', 'route_stats', 'field_stats', 'dead_letters', 'schema_migrations']),
    );

    const second = await migrate(db.pool);
    expect(second.applied).toEqual([]);
    const { rows: ledger } = await db.pool.query('SELECT version FROM schema_migrations');
    expect(ledger).toHaveLength(files.length);
  });

  it('serialises concurrent runners with the advisory lock', async () => {
    const other = await createTestDatabase(inject('pgAdminUrl'), { migrate: false });
    try {
      const results = await Promise.all([migrate(other.pool), migrate(other.pool), migrate(other.pool)]);
      const applied = results.flatMap((r) => r.applied);
      expect(applied).toEqual(readMigrations().map((f) => f.name));
    } finally {
      await other.drop();
    }
  });
});
