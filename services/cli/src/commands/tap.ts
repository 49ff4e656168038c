import { InvalidArgumentError, Option, type Command } from 'commander';
import { ConfigError, createLogger } from '@shadowdiff/core';
import { tapSchema, type ShadowdiffConfig } from '@shadowdiff/config';
import { scavengeOnCollectingThread, startTapService } from '@shadowdiff/tap';
import { resolveInfra } from '../infra.ts';
import { addServiceOptions, configFromFlags } from '../options.ts';
import { onShutdown } from '../shutdown.ts';

function integer(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number');
  return Number(value);
}

/** The tap's own flags, each setting a `tap.*` key; validated with the rest of the config. */
function withTapFlags(config: ShadowdiffConfig, flags: Record<string, unknown>): ShadowdiffConfig {
  const tap: Record<string, unknown> = { ...config.tap };
  const recorder: Record<string, unknown> = { ...config.tap.recorder };
  if (flags.mode !== undefined) tap.mode = flags.mode;
  if (flags.adminPort !== undefined) tap.adminPort = flags.adminPort;
  if (flags.adminHost !== undefined) tap.adminHost = flags.adminHost;
  if (flags.sampleKey !== undefined) tap.sampleKey = flags.sampleKey;
  if (flags.upstream !== undefined) recorder.upstream = flags.upstream;
  if (flags.side !== undefined) recorder.side = flags.side;
  if (flags.joinWindowMs !== undefined) recorder.joinWindowMs = flags.joinWindowMs;
  tap.recorder = recorder;
  const result = tapSchema.safeParse(tap);
  if (result.success) return { ...config, tap: result.data };
  const problems = result.error.issues.map((issue) => `tap.${issue.path.join('.')}: ${issue.message} (from command line)`);
  throw new ConfigError(`invalid configuration, ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  - ${p}`).join('\n')}`, problems);
}

/** `shadowdiff tap`: the tap alone, inline or as a mesh recorder. */
export function registerTap(program: Command): void {
  const command = program
    .command('tap')
    .description('run the tap alone: inline (mirrors to the candidate) or as a mesh recorder in front of one side')
    .addOption(new Option('--mode <mode>', 'inline: proxy to --primary and mirror to --candidate; recorder: record one side of a mesh mirror').choices(['inline', 'recorder']))
    .addOption(new Option('--upstream <url>', 'recorder: the service this recorder stands in front of'))
    .addOption(new Option('--side <side>', 'recorder: the half it records; auto: a Host ending in -shadow is the candidate').choices(['auto', 'primary', 'candidate']))
    .addOption(new Option('--join-window-ms <ms>', 'recorder: how long a half waits for its partner').argParser(integer))
    .addOption(new Option('--sample-key <key>', 'inline: sample consistently on header:NAME or query:NAME'))
    .addOption(new Option('--admin-port <port>', 'port of /metrics and /healthz (0: any free port)').argParser(integer))
    .addOption(new Option('--admin-host <host>', 'address of /metrics and /healthz'));
  addServiceOptions(command, ['primary', 'candidate', 'secondary', 'run', 'tapPort', 'tapHost', 'mirrorPercentage', 'controlPercentage', 'stateDir', 'logLevel']).action(
    async (flags: Record<string, unknown>) => {
      scavengeOnCollectingThread();
      const config = withTapFlags(configFromFlags(flags), flags);
      const logger = createLogger({ level: config.log.level, stderr: true });
      const infra = await resolveInfra(config, logger, 'tap', { postgres: false, redis: true });
      const tap = await startTapService(config, { redisUrl: infra.redisUrl, logger, queuePrefix: config.redis.prefix }).catch(async (error: unknown) => {
        await infra.stop();
        throw error;
      });
      // One write: whoever waits for the first line also gets the second.
      process.stdout.write(`${tap.mode === 'recorder' ? 'recorder' : 'tap'} listening on ${tap.url}\n${tap.adminUrl ? `metrics on ${tap.adminUrl}/metrics\n` : ''}`);
      await onShutdown(logger, [() => tap.close(), () => infra.stop()]);
    },
  );
}
