import type { Command } from 'commander';
import { createLogger } from '@shadowdiff/core';
import { createPool, migrate } from '@shadowdiff/store';
import { startApiService } from '@shadowdiff/api';
import { resolveInfra } from '../infra.ts';
import { addServiceOptions, configFromFlags } from '../options.ts';
import { onShutdown } from '../shutdown.ts';

/** `shadowdiff api`: the API alone. */
export function registerApi(program: Command): void {
  addServiceOptions(program.command('api').description('run the API alone (with REDIS_URL it also reports the capture queue\'s backlog)'), ['apiPort', 'apiHost', 'stateDir', 'logLevel']).action(
    async (flags: Record<string, unknown>) => {
      const config = configFromFlags(flags);
      const logger = createLogger({ level: config.log.level, stderr: true });
      const infra = await resolveInfra(config, logger, 'api', { postgres: true, redis: false });
      const pool = createPool(infra.databaseUrl, { logger });
      await migrate(pool, { logger });
      // With REDIS_URL the API also reports the capture queue's backlog (/readyz, /metrics, active runs).
      const api = await startApiService(config, { pool, logger, ...(config.redis.url ? { redisUrl: config.redis.url } : {}) });
      process.stdout.write(`api listening on ${api.url}\n`);
      await onShutdown(logger, [() => api.close(), () => pool.end(), () => infra.stop()]);
    },
  );
}
