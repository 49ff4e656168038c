import type { Command } from 'commander';
import { createLogger } from '@shadowdiff/core';
import { startTapService } from '@shadowdiff/tap';
import { resolveInfra } from '../infra';
import { addServiceOptions, configFromFlags } from '../options';
import { onShutdown } from '../shutdown';

/** `shadowdiff tap`: the tap alone. */
export function registerTap(program: Command): void {
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
}
