import type { CliProcess } from './cli-process.ts';

/** What a test installation's taps, workers and API processes share. */
export interface LoopbackServices {
  databaseUrl: string;
  /** One redis:// URL, or a cluster's seed URLs (with `redis.cluster` in the config). */
  redisUrl: string;
  primary: string;
  candidate: string;
  run: string;
  /** `stateDir`: the redaction key and anything else the processes keep. */
  stateDir: string;
  /** `redis.queueShards` (default: the configuration's). */
  queueShards?: number;
  logLevel?: 'error' | 'warn' | 'info' | 'debug';
}

/**
 * The environment of `shadowdiff tap`, `worker` and `api` processes of one installation on
 * loopback, every port 0: each process picks a free one and prints it (see `tapAddresses`,
 * `apiAddress`, `workerAdmin`), so several installations and processes never collide.
 */
export function loopbackServiceEnv(services: LoopbackServices): Record<string, string> {
  return {
    DATABASE_URL: services.databaseUrl,
    REDIS_URL: services.redisUrl,
    ...(services.queueShards !== undefined ? { SHADOWDIFF_QUEUE_SHARDS: String(services.queueShards) } : {}),
    SHADOWDIFF_PRIMARY: services.primary,
    SHADOWDIFF_CANDIDATE: services.candidate,
    SHADOWDIFF_RUN: services.run,
    SHADOWDIFF_TAP_PORT: '0',
    SHADOWDIFF_TAP_ADMIN_PORT: '0',
    SHADOWDIFF_API_PORT: '0',
    SHADOWDIFF_WORKER_ADMIN_PORT: '0',
    SHADOWDIFF_STATE_DIR: services.stateDir,
    SHADOWDIFF_LOG_LEVEL: services.logLevel ?? 'warn',
  };
}

/** A started tap's (or recorder's) address and its /metrics' base, as it prints them. */
export async function tapAddresses(cli: CliProcess, timeoutMs = 60_000): Promise<{ url: string; admin: string }> {
  const [, url, admin] = await cli.waitFor(/listening on (\S+)\nmetrics on (\S+)\/metrics/, timeoutMs);
  return { url: url!, admin: admin! };
}

/** A started API's address, as it prints it. */
export async function apiAddress(cli: CliProcess, timeoutMs = 60_000): Promise<string> {
  return (await cli.waitFor(/api listening on (\S+)\n/, timeoutMs))[1]!;
}

/** A started worker's /metrics, /healthz and /readyz base, once it consumes. */
export async function workerAdmin(cli: CliProcess, timeoutMs = 60_000): Promise<string> {
  return (await cli.waitFor(/worker consuming.*\nhealth and metrics on (\S+) /, timeoutMs))[1]!;
}
