import type { Command } from 'commander';
import { createLogger } from '@shadowdiff/core';
import { createPool, migrate } from '@shadowdiff/store';
import { resolveInfra } from '../infra.ts';
import { addServiceOptions, configFromFlags } from '../options.ts';

/** `shadowdiff migrate`: apply pending migrations. */
export function registerMigrate(program: Command): void {
  addServiceOptions(program.command('migrate').description('apply pending database migrations and exit'), ['stateDir', 'logLevel']).action(
    async (flags: Record<string, unknown>) => {
      const config = configFromFlags(flags);
      const logger = createLogger({ level: config.log.level, stderr: true });
      const infra = await resolveInfra(config, logger, 'migrate', { postgres: true, redis: false });
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
}
