import { join } from 'node:path';
import { DependencyError, type Logger } from '@shadowdiff/core';
import type { ShadowdiffConfig } from '@shadowdiff/config';
import { claimStateFolder, startEmbeddedPostgres, startLocalRedis, type StateClaim } from '@shadowdiff/local-infra';
import { isShuttingDown } from './shutdown.ts';

export interface Infra {
  databaseUrl: string;
  redisUrl: string;
  /** What was started locally, for the summary. */
  embedded: { postgres: boolean; redis: boolean };
  /**
   * Rejects when a local server exits while in use (killed, crashed): what runs on it cannot go
   * on half-alive, so the caller stops everything. Never settles otherwise.
   */
  lost: Promise<never>;
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
  let stopping = false;
  let loseWith: (error: Error) => void = () => undefined;
  const lost = new Promise<never>((_, reject) => (loseWith = reject));
  lost.catch(() => undefined);
  const watch = (server: { exited: Promise<string> }, what: string): void =>
    void server.exited.then((how) => {
      // After a signal the servers may go first (a terminal's Ctrl-C reaches them too): that is no loss.
      if (stopping || isShuttingDown()) return;
      logger.error({ server: what, exit: how }, 'local server exited');
      loseWith(new DependencyError(`the ${what} exited (${how}), so everything was stopped; start again to carry on with the same data`));
    });
  const stopAll = async (): Promise<void> => {
    stopping = true;
    for (const stop of stops.reverse()) await stop().catch((error: Error) => logger.warn({ err: error.message }, 'stop failed'));
    stops.length = 0;
    claim?.release();
  };
  try {
    let redisUrl = config.redis.url ?? '';
    if (embedded.redis) {
      const redis = await startLocalRedis({ dir: join(config.stateDir, 'redis'), logger });
      stops.push(() => redis.stop());
      watch(redis, `local redis-server (data in ${join(config.stateDir, 'redis')})`);
      claim?.notePort('redis', redis.port);
      redisUrl = redis.url;
    }
    let databaseUrl = config.database.url ?? '';
    if (embedded.postgres) {
      const postgres = await startEmbeddedPostgres({ dir: join(config.stateDir, 'postgres'), logger });
      stops.push(() => postgres.stop());
      watch(postgres, `embedded Postgres (data in ${join(config.stateDir, 'postgres')})`);
      claim?.notePort('postgres', postgres.port);
      databaseUrl = postgres.url;
    }
    return { databaseUrl, redisUrl, embedded, lost, notePort: (part, port) => claim?.notePort(part, port), stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
