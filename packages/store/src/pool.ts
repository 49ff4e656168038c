import pg from 'pg';
import type { Logger } from '@shadowdiff/core';

// bigint counters come back as strings by default; shadowdiff's counts fit in a JS number.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

/**
 * A Postgres pool. An idle connection that dies (Postgres restarted, network cut) is logged
 * and replaced on next use instead of crashing the process.
 */
export function createPool(url: string, options: { max?: number; applicationName?: string; logger?: Logger } = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'shadowdiff',
    connectionTimeoutMillis: 5_000,
  });
  pool.on('error', (error) => options.logger?.warn({ err: error.message }, 'idle Postgres connection lost'));
  return pool;
}
