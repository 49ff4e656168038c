import type { Command } from 'commander';
import { createLogger } from '@shadowdiff/core';
import { createDiffOptions } from '@shadowdiff/diff';
import { createPool, migrate } from '@shadowdiff/store';
import { startApiService } from '@shadowdiff/api';
import { startTapService } from '@shadowdiff/tap';
import { createCaptureWorker } from '@shadowdiff/worker';
import { resolveInfra } from '../infra';
import { addServiceOptions, configFromFlags } from '../options';
import { onShutdown } from '../shutdown';

/** `migrate`, `tap`, `worker`, `api`: each part alone, to scale out or run under a supervisor. */
export function registerServiceCommands(program: Command): void {
  addServiceOptions(program.command('migrate').description('apply pending database migrations and exit'), ['stateDir', 'logLevel']).action(
    async (flags: Record<string, unknown>) => {
      const config = configFromFlags(flags);
      const logger = createLogger({ level: config.log.level, stderr: true });
      const infra = await resolveInfra(config, logger, { postgres: true, redis: false });
      const pool = createPool(infra.databaseUrl, { max: 1, logger });
      try {
        const result = await migrate(pool, { logger });
        process.stdout.write(
          result.applied.length > 0 ? `applied ${result.applied.join(', ')}\n` : `database is up to date (version ${result.current})\n`,
        );
      } finally {
        await pool.end();
        await infra.stop();
      }
    },
  );

  addServiceOptions(program.command('tap').description('run the tap alone (inline mirroring to the queue)'), [
    'primary',
    'candidate',
    'secondary',
    'run',
    'tapPort',
    'tapHost',
    'mirrorPercentage',
    'stateDir',
    'logLevel',
  ]).action(async (flags: Record<string, unknown>) => {
    const config = configFromFlags(flags);
    const logger = createLogger({ level: config.log.level, stderr: true });
    const infra = await resolveInfra(config, logger, { postgres: false, redis: true });
    const tap = await startTapService(config, { redisUrl: infra.redisUrl, logger });
    process.stdout.write(`tap listening on ${tap.url}\n`);
    await onShutdown(logger, [() => tap.close(), () => infra.stop()]);
  });

  addServiceOptions(program.command('worker').description('run a worker alone (queue → diff → Postgres)'), ['concurrency', 'stateDir', 'logLevel']).action(
    async (flags: Record<string, unknown>) => {
      const config = configFromFlags(flags);
      const logger = createLogger({ level: config.log.level, stderr: true });
      const infra = await resolveInfra(config, logger);
      const pool = createPool(infra.databaseUrl, { max: config.worker.concurrency + 2, logger });
      await migrate(pool, { logger });
      const worker = createCaptureWorker({
        redisUrl: infra.redisUrl,
        pool,
        diffOptions: createDiffOptions({ ignoreHeaders: config.diff.ignoreHeaders }),
        concurrency: config.worker.concurrency,
        keepIdenticalShare: 0.1,
        logger,
      });
      process.stdout.write(`worker consuming with concurrency ${config.worker.concurrency}\n`);
      await onShutdown(logger, [() => worker.close(), () => pool.end(), () => infra.stop()]);
    },
  );

  addServiceOptions(program.command('api').description('run the API alone'), ['apiPort', 'apiHost', 'stateDir', 'logLevel']).action(
    async (flags: Record<string, unknown>) => {
      const config = configFromFlags(flags);
      const logger = createLogger({ level: config.log.level, stderr: true });
      const infra = await resolveInfra(config, logger, { postgres: true, redis: false });
      const pool = createPool(infra.databaseUrl, { logger });
      await migrate(pool, { logger });
      const api = await startApiService(config, { pool, logger });
      process.stdout.write(`api listening on ${api.url}\n`);
      await onShutdown(logger, [() => api.close(), () => pool.end(), () => infra.stop()]);
    },
  );
}
