import { listenError, redactionFromConfig, urlOf, type Logger } from '@shadowdiff/core';
import type { ShadowdiffConfig } from '@shadowdiff/config';
import { startAdminServer, type AdminServer } from './admin-server.ts';
import { startInlineMode } from './inline-mode.ts';
import { createTapMetrics, type TapMetrics } from './metrics.ts';
import { startRecorderMode } from './recorder-mode.ts';
import type { TapMode } from './tap-mode.ts';

/** A running tap (inline or recorder). */
export interface TapService {
  mode: 'inline' | 'recorder';
  url: string;
  /** Where `/metrics` is served; undefined when the admin port could not be bound. */
  adminUrl: string | undefined;
  metrics: TapMetrics;
  close(): Promise<void>;
}

/**
 * Starts the tap: inline (mirroring to the candidate) or as a mesh recorder, per `tap.mode`,
 * batching redacted captures to the queue on `redisUrl`, with `/metrics` on the admin port.
 * Shutdown stops accepting first, lets requests finish, then flushes what is buffered.
 */
export async function startTapService(
  config: ShadowdiffConfig,
  deps: { redisUrl: string; logger: Logger; queuePrefix?: string },
): Promise<TapService> {
  const logger = deps.logger.child({ service: 'tap', mode: config.tap.mode, run: config.run });
  const metrics = createTapMetrics();
  const startMode = config.tap.mode === 'recorder' ? startRecorderMode : startInlineMode;
  const mode: TapMode = await startMode(config, {
    redisUrl: deps.redisUrl,
    ...(deps.queuePrefix ? { queuePrefix: deps.queuePrefix } : {}),
    redaction: redactionFromConfig(config),
    metrics,
    logger,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      mode.server.once('error', (error) => reject(listenError(error, 'tap', config.tap.host, config.tap.port, '--tap-port N (or SHADOWDIFF_TAP_PORT)')));
      mode.server.listen(config.tap.port, config.tap.host, () => resolve());
    });
  } catch (error) {
    await mode.close();
    throw error;
  }
  const url = urlOf(mode.server);

  // Metrics must never cost the proxied service its traffic: a busy admin port is logged, not fatal.
  let admin: AdminServer | undefined;
  let closing = false;
  try {
    admin = await startAdminServer(metrics.registry, config.tap.adminHost, config.tap.adminPort, () => {
      const { thread, redis } = mode.status();
      return { serving: !closing, capturing: thread !== 'down' && thread !== 'stopped' && redis === 'up', shadowThread: thread, redis, buffered: mode.held };
    });
  } catch (error) {
    logger.error({ err: (error as Error).message, port: config.tap.adminPort }, 'admin port unavailable: /metrics is not served');
  }

  // Origins only: a URL's user-info or query could hold credentials.
  const origin = (u: string | undefined): string | undefined => (u ? new URL(u).origin : undefined);
  const { primary, candidate, secondary } = config.upstreams;
  const upstreams =
    config.tap.mode === 'recorder'
      ? { upstream: origin(config.tap.recorder.upstream), side: config.tap.recorder.side }
      : { primary: origin(primary), candidate: origin(candidate), secondary: origin(secondary) };
  logger.info({ url, admin: admin?.url, ...upstreams }, config.tap.mode === 'recorder' ? 'recorder listening' : 'tap listening');
  return {
    mode: config.tap.mode,
    url,
    adminUrl: admin?.url,
    metrics,
    async close() {
      closing = true;
      await mode.close();
      await admin?.close();
    },
  };
}
