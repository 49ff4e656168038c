import { join } from 'node:path';
import type { Logger } from '@shadowdiff/core';
import type { ShadowdiffConfig } from '@shadowdiff/config';
import { startEmbeddedPostgres, startLocalRedis } from '@shadowdiff/local-infra';

export interface Infra {
  databaseUrl: string;
  redisUrl: string;
  /** What was started locally, for the summary. */
  embedded: { postgres: boolean; redis: boolean };
  stop(): Promise<void>;
}

/**
 * The Postgres and Redis to use: the configured ones, or, when a URL is absent, an embedded
 * Postgres and a local redis-server with their data under the state folder.
 */
export async function resolveInfra(config: ShadowdiffConfig, logger: Logger, needs = { postgres: true, redis: true }): Promise<Infra> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop().catch((error: Error) => logger.warn({ err: error.message }, 'stop failed'));
  };
  try {
    let redisUrl = config.redis.url ?? '';
    if (needs.redis && !config.redis.url) {
      const redis = await startLocalRedis({ dir: join(config.stateDir, 'redis'), logger });
      stops.push(() => redis.stop());
      redisUrl = redis.url;
    }
    let databaseUrl = config.database.url ?? '';
    if (needs.postgres && !config.database.url) {
      const postgres = await startEmbeddedPostgres({ dir: join(config.stateDir, 'postgres'), logger });
      stops.push(() => postgres.stop());
      databaseUrl = postgres.url;
    }
    return {
      databaseUrl,
      redisUrl,
      embedded: { postgres: needs.postgres && !config.database.url, redis: needs.redis && !config.redis.url },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
