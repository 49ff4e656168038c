import type { Logger } from '@shadowdiff/core';
import type { ShadowdiffConfig } from '@shadowdiff/config';
import { createPool, migrate, type Pool } from '@shadowdiff/store';
import { startApiService, type ApiService } from '@shadowdiff/api';
import { startTapService, type TapService } from '@shadowdiff/tap';
import { startChildCommand, type ChildCommand } from './child-command';
import { resolveInfra, type Infra } from './infra';

export interface Stack {
  infra: Infra;
  pool: Pool;
  /** The worker runs in a process of its own, so diffing never takes the tap's event loop. */
  worker: ChildCommand;
  api: ApiService;
  tap: TapService;
  /** Stops everything in reverse order of start-up: tap, api, worker, Postgres pool, infra. */
  close(): Promise<void>;
}

/** The worker's settings, passed down as environment (which a config file cannot override). */
function workerEnvironment(config: ShadowdiffConfig, infra: Infra): Record<string, string> {
  return {
    DATABASE_URL: infra.databaseUrl,
    REDIS_URL: infra.redisUrl,
    SHADOWDIFF_REDIS_PREFIX: config.redis.prefix,
    SHADOWDIFF_WORKER_CONCURRENCY: String(config.worker.concurrency),
    SHADOWDIFF_WORKER_LOCK_DURATION_MS: String(config.worker.lockDurationMs),
    SHADOWDIFF_LOG_LEVEL: config.log.level,
  };
}

/**
 * Starts the whole pipeline on this machine: infra and migrations, the worker (a child process),
 * then the API and the tap in this process.
 */
export async function startStack(config: ShadowdiffConfig, logger: Logger, options: { configFile?: string } = {}): Promise<Stack> {
  const closers: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    for (const closer of closers.reverse()) await closer().catch((error: Error) => logger.warn({ err: error.message }, 'error during shutdown'));
  };
  try {
    const infra = await resolveInfra(config, logger, 'up');
    closers.push(() => infra.stop());
    const pool = createPool(infra.databaseUrl, { max: config.worker.concurrency + 6, logger });
    closers.push(() => pool.end());
    await migrate(pool, { logger });
    const worker = await startChildCommand(['worker', ...(options.configFile ? ['--config', options.configFile] : [])], {
      env: workerEnvironment(config, infra),
      ready: /worker consuming/,
      logger,
    });
    closers.push(() => worker.stop());
    const api = await startApiService(config, { pool, logger });
    closers.push(() => api.close());
    infra.notePort('api', Number(new URL(api.url).port));
    const tap = await startTapService(config, { redisUrl: infra.redisUrl, logger, queuePrefix: config.redis.prefix });
    closers.push(() => tap.close());
    infra.notePort('tap', Number(new URL(tap.url).port));
    return { infra, pool, worker, api, tap, close };
  } catch (error) {
    await close();
    throw error;
  }
}
