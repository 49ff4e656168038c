import type { Logger } from '@shadowdiff/core';
import type { ShadowdiffConfig } from '@shadowdiff/config';
import { createPool, migrate, type Pool } from '@shadowdiff/store';
import { startApiService, type ApiService } from '@shadowdiff/api';
import { startTapService, type TapService } from '@shadowdiff/tap';
import { createCaptureWorker, workerSettings, type CaptureWorker } from '@shadowdiff/worker';
import { resolveInfra, type Infra } from './infra';

export interface Stack {
  infra: Infra;
  pool: Pool;
  worker: CaptureWorker;
  api: ApiService;
  tap: TapService;
  /** Stops everything in reverse order of start-up: tap, api, worker, Postgres pool, infra. */
  close(): Promise<void>;
}

/** Starts the whole pipeline in this process: infra, migrations, worker, API, tap. */
export async function startStack(config: ShadowdiffConfig, logger: Logger): Promise<Stack> {
  const closers: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    for (const closer of closers.reverse()) await closer().catch((error: Error) => logger.warn({ err: error.message }, 'error during shutdown'));
  };
  try {
    const infra = await resolveInfra(config, logger);
    closers.push(() => infra.stop());
    const pool = createPool(infra.databaseUrl, { max: config.worker.concurrency + 6, logger });
    closers.push(() => pool.end());
    await migrate(pool, { logger });
    const worker = createCaptureWorker({
      redisUrl: infra.redisUrl,
      pool,
      ...workerSettings(config),
      logger,
    });
    closers.push(() => worker.close());
    const api = await startApiService(config, { pool, logger });
    closers.push(() => api.close());
    const tap = await startTapService(config, { redisUrl: infra.redisUrl, logger, queuePrefix: config.redis.prefix });
    closers.push(() => tap.close());
    return { infra, pool, worker, api, tap, close };
  } catch (error) {
    await close();
    throw error;
  }
}
