import type { Pool, PoolClient } from './pool.ts';
import { SCHEMA_LOCK_KEY } from './migrate.ts';

const DAY_MS = 86_400_000;

/** Days made ahead of time, so captures of the coming days never wait on a partition. */
export const PARTITION_DAYS_AHEAD = 7;

/** `YYYY-MM-DD` of the UTC day holding `ms`. */
export function utcDay(ms: number): string {
  return new Date(Math.floor(ms / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
}

/** The day partitions of `exchanges` (each has its twin in `differences`), oldest first, as `YYYY-MM-DD`. */
export async function listDayPartitions(db: Pool | PoolClient): Promise<string[]> {
  const { rows } = await db.query<{ relname: string }>(
    `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'exchanges'::regclass AND c.relname ~ '^exchanges_p[0-9]{8}$' ORDER BY c.relname`,
  );
  return rows.map(({ relname }) => `${relname.slice(11, 15)}-${relname.slice(15, 17)}-${relname.slice(17, 19)}`);
}

/**
 * Adds the partitions of today and the next `daysAhead` days that are missing, moving in the rows
 * of those days the default partitions took meanwhile. Schema changes wait for no one: when a
 * migration or a prune holds the schema lock, nothing is made now (the default partitions take
 * the rows) and the next call makes them.
 * @returns the days made.
 */
export async function ensureDayPartitions(pool: Pool, options: { now?: number; daysAhead?: number } = {}): Promise<string[]> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [SCHEMA_LOCK_KEY]);
    const made = rows[0]?.locked ? await addDayPartitions(client, options) : [];
    await client.query('COMMIT');
    return made;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** The work of `ensureDayPartitions` on a connection that holds the schema lock. */
export async function addDayPartitions(client: PoolClient, options: { now?: number; daysAhead?: number } = {}): Promise<string[]> {
  const today = Math.floor((options.now ?? Date.now()) / DAY_MS);
  const made: string[] = [];
  for (let day = today; day <= today + (options.daysAhead ?? PARTITION_DAYS_AHEAD); day++) {
    const { rows } = await client.query<{ added: boolean }>('SELECT shadowdiff_add_day_partitions($1::date) AS added', [utcDay(day * DAY_MS)]);
    if (rows[0]?.added) made.push(utcDay(day * DAY_MS));
  }
  return made;
}
