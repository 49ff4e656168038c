import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, startLocalRedis } from '@shadowdiff/local-infra';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    /** A Postgres connection string of a database the tests may CREATE DATABASE from. */
    pgAdminUrl: string;
  }
}

/**
 * Starts one real redis-server and one real Postgres for a test project (or uses REDIS_URL and
 * DATABASE_URL when set); every test file then makes its own database and queue prefix.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), 'shadowdiff-test-'));
  const stops: (() => Promise<void>)[] = [];
  let redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    const redis = await startLocalRedis({ dir: join(dir, 'redis') });
    stops.push(() => redis.stop());
    redisUrl = redis.url;
  }
  let pgAdminUrl = process.env.DATABASE_URL;
  if (!pgAdminUrl) {
    const postgres = await startEmbeddedPostgres({ dir: join(dir, 'postgres'), removeOnStop: true });
    stops.push(() => postgres.stop());
    pgAdminUrl = postgres.adminUrl;
  }
  project.provide('redisUrl', redisUrl);
  project.provide('pgAdminUrl', pgAdminUrl);
  return async () => {
    for (const stop of stops.reverse()) await stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
