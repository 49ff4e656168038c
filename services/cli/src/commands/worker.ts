import type { Command } from 'commander';
import { createLogger } from '@shadowdiff/core';
import { createPool, migrate } from '@shadowdiff/store';
import { createCaptureWorker, workerSettings } from '@shadowdiff/worker';
import { resolveInfra } from '../infra';
import { addServiceOptions, configFromFlags } from '../options';
import { onShutdown } from '../shutdown';

/** `shadowdiff worker`: a worker alone. */
export function registerWorker(program: Command): void {
  addServiceOptions(program.command('worker').description('run a worker alone (queue → diff → Postgres)'), ['concurrency', 'stateDir', 'logLevel']).action(
    async (flags: Record<string, unknown>) => {
      const config = configFromFlags(flags);
      const logger = createLogger({ level: config.log.level, stderr: true });
      const infra = await resolveInfra(config, logger, 'worker');
      const pool = createPool(infra.databaseUrl, { max: config.worker.concurrency + 2, logger });
      await migrate(pool, { logger });
      const worker = createCaptureWorker({
        redisUrl: infra.redisUrl,
        pool,
        ...workerSettings(config),
        logger,
      });
      process.stdout.write(`worker consuming with concurrency ${config.worker.concurrency}\n`);
      await onShutdown(logger, [() => worker.close(), () => pool.end(), () => infra.stop()]);
    },
  );
}
