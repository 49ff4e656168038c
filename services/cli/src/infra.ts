import { join } from 'node:path';
import type { Logger } from '@shadowdiff/core';
import type { ShadowdiffConfig } from '@shadowdiff/config';
import { claimStateFolder, startEmbeddedPostgres, startLocalRedis, type StateClaim } from '@shadowdiff/local-infra';

export interface Infra {
  databaseUrl: string;
  redisUrl: string;
  /** What was started locally, for the summary. */
  embedded: { postgres: boolean; redis: boolean };
  /** Records a part's port in the state folder's owner file (a no-op without local servers). */
  notePort(part: string, port: number): void;
  stop(): Promise<void>;
}

/**
 * The Postgres and Redis to use: the configured ones, or, when a URL is absent, an embedded
 * Postgres and a local redis-server with their data under the state folder. Local servers need
 * the state folder to themselves: a live shadowdiff already using it is named and refused.
 */
export async function resolveInfra(config: ShadowdiffConfig, logger: Logger, command: string, needs = { postgres: true, redis: true }): Promise<Infra> {
  const embedded = { postgres: needs.postgres && !config.database.url, redis: needs.redis && !config.redis.url };
  const claim: StateClaim | undefined = embedded.postgres || embedded.redis ? claimStateFolder(config.stateDir, `shadowdiff ${command}`) : undefined;
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop().catch((error: Error) => logger.warn({ err: error.message }, 'stop failed'));
    stops.length = 0;
    claim?.release();
  };
  try {
    let redisUrl = config.redis.url ?? '';
    if (embedded.redis) {
      const redis = await startLocalRedis({ dir: join(config.stateDir, 'redis'), logger });
      stops.push(() => redis.stop());
      claim?.notePort('redis', redis.port);
      redisUrl = redis.url;
    }
    let databaseUrl = config.database.url ?? '';
    if (embedded.postgres) {
      const postgres = await startEmbeddedPostgres({ dir: join(config.stateDir, 'postgres'), logger });
      stops.push(() => postgres.stop());
      claim?.notePort('postgres', postgres.port);
      databaseUrl = postgres.url;
    }
    return { databaseUrl, redisUrl, embedded, notePort: (part, port) => claim?.notePort(part, port), stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
