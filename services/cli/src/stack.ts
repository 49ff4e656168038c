import type { Registry } from 'prom-client';
import type { Logger } from '@shadowdiff/core';
import type { ShadowdiffConfig } from '@shadowdiff/config';
import { createPool, migrate, type Pool } from '@shadowdiff/store';
import { startAdminServer, type AdminServer } from '@shadowdiff/worker';
import { resolveInfra, type Infra } from './infra.ts';
import type { Supervisor } from './supervisor.ts';

export interface Stack {
  infra: Infra;
  /** For this process's own reads (the demo's summary); the parts have their own. */
  pool: Pool;
  /** Absent when started without one (a replay sends its traffic itself). */
  tap?: { url: string; adminUrl: string | undefined };
  api: { url: string };
  worker: { adminUrl: string };
  /** This process's `/metrics` (restarts of its children), `/healthz` and `/readyz` (every child running). */
  admin: AdminServer;
  /** Rejects when a child keeps crashing or a local server dies: everything must then stop. */
  failed: Promise<never>;
  /** Stops everything in reverse order of start-up: tap, api, worker (and the children started before them), infra. */
  close(): Promise<void>;
}

/** The port in a URL a part printed once listening (where the configuration said "any", 0, the one it took). */
const portOf = (url: string | undefined): string | undefined => (url ? new URL(url).port : undefined);

/** The environment a part is restarted with: the ports it printed replace "any" (0), so it comes back on them. */
function pinPorts(env: Record<string, string>, printed: Record<string, string | undefined>): { env: Record<string, string> } {
  const pinned = Object.fromEntries(Object.entries(printed).filter((entry): entry is [string, string] => Boolean(entry[1])));
  return { env: { ...env, ...pinned } };
}

/**
 * The stack's settings, passed down to every child as environment (which a config file cannot
 * override): what flags and the demo decided, and the infrastructure's addresses.
 */
function stackEnvironment(config: ShadowdiffConfig, infra: Infra): Record<string, string> {
  const { upstreams, tap, api, worker } = config;
  return {
    DATABASE_URL: infra.databaseUrl,
    REDIS_URL: infra.redisUrl,
    SHADOWDIFF_REDIS_PREFIX: config.redis.prefix,
    SHADOWDIFF_REDIS_CLUSTER: String(config.redis.cluster),
    SHADOWDIFF_QUEUE_SHARDS: String(config.redis.queueShards),
    SHADOWDIFF_RUN: config.run,
    ...(upstreams.primary ? { SHADOWDIFF_PRIMARY: upstreams.primary } : {}),
    ...(upstreams.candidate ? { SHADOWDIFF_CANDIDATE: upstreams.candidate } : {}),
    ...(upstreams.secondary ? { SHADOWDIFF_SECONDARY: upstreams.secondary } : {}),
    SHADOWDIFF_TAP_HOST: tap.host,
    SHADOWDIFF_TAP_PORT: String(tap.port),
    SHADOWDIFF_TAP_ADMIN_PORT: String(tap.adminPort),
    SHADOWDIFF_MIRROR_PERCENTAGE: String(tap.mirrorPercentage),
    SHADOWDIFF_CONTROL_PERCENTAGE: String(tap.controlPercentage),
    SHADOWDIFF_API_HOST: api.host,
    SHADOWDIFF_API_PORT: String(api.port),
    SHADOWDIFF_WORKER_CONCURRENCY: String(worker.concurrency),
    SHADOWDIFF_WORKER_LOCK_DURATION_MS: String(worker.lockDurationMs),
    SHADOWDIFF_WORKER_STUCK_SHARD_MS: String(worker.stuckShardMs),
    SHADOWDIFF_WORKER_ADMIN_PORT: String(worker.adminPort),
    SHADOWDIFF_STATE_DIR: config.stateDir,
    SHADOWDIFF_LOG_LEVEL: config.log.level,
  };
}

/**
 * Starts the whole pipeline on this machine: infra and migrations, then the worker, the API and
 * the tap, each a supervised child process (restarted when it dies), so a crash of one is seen,
 * and diffing never takes the tap's event loop.
 */
export async function startStack(
  config: ShadowdiffConfig,
  logger: Logger,
  parts: { supervisor: Supervisor; registry: Registry; configFile?: string; withTap?: boolean },
): Promise<Stack> {
  const closers: (() => Promise<void>)[] = [];
  let closing: Promise<void> | undefined;
  // Once: a failure that arrives while shutting down must not close things a second time.
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      for (const closer of closers.reverse()) await closer().catch((error: Error) => logger.warn({ err: error.message }, 'error during shutdown'));
    })());
  try {
    const infra = await resolveInfra(config, logger, 'up');
    closers.push(() => infra.stop());
    const pool = createPool(infra.databaseUrl, { max: 2, logger });
    closers.push(() => pool.end());
    await migrate(pool, { logger });
    const env = stackEnvironment(config, infra);
    const args = parts.configFile ? ['--config', parts.configFile] : [];
    const { supervisor } = parts;
    const admin = await startAdminServer({
      registry: parts.registry,
      host: '127.0.0.1',
      port: 0,
      readiness: async () => {
        const children = supervisor.running();
        return { ready: Object.values(children).every(Boolean), children };
      },
      part: "shadowdiff up's admin server",
      how: 'a free port',
    });
    closers.push(() => admin.close());
    // Stopped first: no child is restarted once shutting down has begun.
    closers.push(() => supervisor.stop());
    const [, workerAdmin] = await supervisor.start({
      name: 'worker',
      args: ['worker', ...args],
      env,
      ready: /worker consuming.*\nhealth and metrics on (\S+) /,
      pin: ([, admin]) => pinPorts(env, { SHADOWDIFF_WORKER_ADMIN_PORT: portOf(admin) }),
    });
    const [, apiUrl] = await supervisor.start({
      name: 'api',
      args: ['api', ...args],
      env,
      ready: /api listening on (\S+)\n/,
      pin: ([, url]) => pinPorts(env, { SHADOWDIFF_API_PORT: portOf(url) }),
    });
    infra.notePort('api', Number(portOf(apiUrl)));
    let tap: Stack['tap'];
    if (parts.withTap !== false) {
      const [, tapUrl, tapAdmin] = await supervisor.start({
        name: 'tap',
        args: ['tap', ...args],
        env,
        ready: /tap listening on (\S+)\n(?:metrics on (\S+)\/metrics\n)?/,
        pin: ([, url, admin]) => pinPorts(env, { SHADOWDIFF_TAP_PORT: portOf(url), SHADOWDIFF_TAP_ADMIN_PORT: portOf(admin) }),
      });
      infra.notePort('tap', Number(portOf(tapUrl)));
      tap = { url: tapUrl!, adminUrl: tapAdmin };
    }
    return {
      infra,
      pool,
      ...(tap ? { tap } : {}),
      api: { url: apiUrl! },
      worker: { adminUrl: workerAdmin! },
      admin,
      failed: Promise.race([supervisor.failed, infra.lost]),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
