import type { Command } from 'commander';
import { createLogger } from '@shadowdiff/core';
import { createPool, migrate } from '@shadowdiff/store';
import { createCaptureWorker, startAdminServer, workerSettings } from '@shadowdiff/worker';
import { resolveInfra } from '../infra.ts';
import { addServiceOptions, configFromFlags } from '../options.ts';
import { onShutdown } from '../shutdown.ts';

/** `shadowdiff worker`: a worker alone, with its health and metrics on its admin port. */
export function registerWorker(program: Command): void {
  addServiceOptions(program.command('worker').description('run a worker alone (queue → diff → Postgres)'), ['concurrency', 'workerAdminPort', 'stateDir', 'logLevel']).action(
    async (flags: Record<string, unknown>) => {
      const config = configFromFlags(flags);
      const logger = createLogger({ level: config.log.level, stderr: true });
      const infra = await resolveInfra(config, logger, 'worker');
      const pool = createPool(infra.databaseUrl, { max: config.worker.concurrency + 2, logger });
      const stopEarly = async (error: unknown): Promise<never> => {
        await pool.end();
        await infra.stop();
        throw error;
      };
      await migrate(pool, { logger }).catch(stopEarly);
      const worker = createCaptureWorker({
        redisUrl: infra.redisUrl,
        pool,
        ...workerSettings(config),
        logger,
      });
      const { adminHost: host, adminPort: port } = config.worker;
      const admin = await startAdminServer({
        registry: worker.registry,
        host,
        port,
        readiness: () => worker.readiness(),
        part: "worker's admin server",
        how: '--worker-admin-port N (or SHADOWDIFF_WORKER_ADMIN_PORT)',
      }).catch(async (error: unknown) => {
        await worker.close();
        return stopEarly(error);
      });
      // One write: whoever waits for this line also gets the address.
      process.stdout.write(`worker consuming with concurrency ${config.worker.concurrency}\nhealth and metrics on ${admin.url} (/healthz, /readyz, /metrics)\n`);
      await onShutdown(logger, [() => admin.close(), () => worker.close(), () => pool.end(), () => infra.stop()]);
    },
  );
}
