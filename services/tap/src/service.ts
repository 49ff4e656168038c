import { ConfigError, listenError, urlOf, type Capture, type Logger } from '@shadowdiff/core';
import type { ShadowdiffConfig } from '@shadowdiff/config';
import { createHalfPairer, createProducerConnection, readyOrTimeout } from '@shadowdiff/queue';
import { startAdminServer, type AdminServer } from './admin-server.ts';
import { createTap, shadowSettingsOf, shadowTargetsOf, type Tap, type TapDeps, type TapOptions } from './app.ts';
import { startShadowThread, type ShadowThread } from './shadow/shadow-thread.ts';
import type { ShadowHandlers } from './shadow/shadows.ts';
import { createTapMetrics, type TapMetrics } from './metrics.ts';
import { createRecorder } from './recorder.ts';
import { createRedactor, type Redactor, type RedactorOptions } from './redaction.ts';
import { loadRedactionKey } from './redaction-key.ts';

/** A running tap (inline or recorder). */
export interface TapService {
  mode: 'inline' | 'recorder';
  url: string;
  /** Where `/metrics` is served; undefined when the admin port could not be bound. */
  adminUrl: string | undefined;
  metrics: TapMetrics;
  close(): Promise<void>;
}

/** The redaction a configuration asks for, its key loaded (or created) as configured. */
export function redactionFromConfig(config: ShadowdiffConfig): RedactorOptions {
  const { redaction, maxBodyBytes } = config.tap;
  return {
    key: loadRedactionKey({ key: redaction.key, keyFile: redaction.keyFile, stateDir: config.stateDir }),
    headers: redaction.headers,
    queryParams: redaction.queryParams,
    bodyPaths: redaction.bodyPaths,
    // Compressed bodies inflate: allow a generous multiple of the capture cap, no more.
    maxDecodedBytes: Math.max(maxBodyBytes * 8, 1024 * 1024),
  };
}

/** The inline tap's options from a configuration. */
function inlineOptions(config: ShadowdiffConfig): TapOptions {
  const { tap } = config;
  const { primary, candidate, secondary } = config.upstreams;
  if (!primary || !candidate) {
    throw new ConfigError('the tap needs upstreams.primary and upstreams.candidate (flags --primary and --candidate)');
  }
  return {
    run: config.run,
    primaryUrl: primary,
    candidateUrl: candidate,
    ...(secondary ? { secondaryUrl: secondary } : {}),
    mirrorPercentage: tap.mirrorPercentage,
    controlPercentage: tap.controlPercentage,
    mirrorUnsafeMethods: tap.mirrorUnsafeMethods,
    ...(tap.sampleKey ? { sampleKey: tap.sampleKey } : {}),
    routes: tap.routes,
    shadowTimeoutMs: tap.shadowTimeoutMs,
    maxBodyBytes: tap.maxBodyBytes,
    shadowHostSuffix: tap.shadowHostSuffix,
    maxInFlightShadows: tap.maxInFlightShadows,
  };
}

type BuildDeps = TapDeps & { emit: (c: Capture) => void; redactor: Redactor };

/** The inline tap, or a recorder with its sweep of unmatched halves. */
function buildTap(config: ShadowdiffConfig, inline: TapOptions | undefined, deps: BuildDeps, redis: ReturnType<typeof createProducerConnection> | undefined): Tap & { sweep?: () => Promise<void> } {
  const { tap } = config;
  if (tap.mode === 'recorder') {
    if (!tap.recorder.upstream) throw new ConfigError('a recorder needs tap.recorder.upstream (flag --upstream)');
    const pairer = createHalfPairer(redis!, { run: config.run, joinWindowMs: tap.recorder.joinWindowMs });
    const recorder = createRecorder(
      {
        run: config.run,
        upstreamUrl: tap.recorder.upstream,
        side: tap.recorder.side,
        maxBodyBytes: tap.maxBodyBytes,
        routes: { include: tap.routes.include, exclude: tap.routes.exclude },
        maxPendingHalves: tap.maxBufferedCaptures,
      },
      { ...deps, pairer },
    );
    const sweep = async (): Promise<void> => {
      const unmatched = await pairer.sweep();
      for (const side of ['primary', 'candidate'] as const) {
        if (unmatched[side] > 0) deps.metrics.unmatchedHalves.inc({ side }, unmatched[side]);
      }
    };
    return { ...recorder, sweep };
  }
  return createTap(inline ?? inlineOptions(config), deps);
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
  const redaction = redactionFromConfig(config);
  const inline = config.tap.mode === 'inline' ? inlineOptions(config) : undefined;
  // The copies, the captures' redaction and their queueing run on the shadow thread. The tap's
  // handler says where its reports go once it exists.
  let shadowHandlers: ShadowHandlers | undefined;
  const sink = startShadowThread(
    {
      ...(inline
        ? {
            shadows: {
              ...shadowSettingsOf(inline),
              ...shadowTargetsOf(inline),
            },
          }
        : {}),
      redaction,
      redisUrl: deps.redisUrl,
      ...(deps.queuePrefix ? { queuePrefix: deps.queuePrefix } : {}),
      batchSize: config.tap.batchSize,
      flushMs: config.tap.batchFlushMs,
      maxBuffered: config.tap.maxBufferedCaptures,
      maxQueuedBatches: config.tap.maxQueuedBatches,
      backlogPollMs: config.tap.backlogPollMs,
      niceIncrement: config.tap.shadowThreadNice,
    },
    {
      logger,
      onDone: (report, exchangeId) => shadowHandlers?.onDone(report, exchangeId),
      onLost: (jobs) => shadowHandlers?.onLost(jobs),
      onDrop: (reason, count) => metrics.dropped.inc({ reason }, count),
      onBacklog: (waiting, oldestAgeMs) => {
        metrics.queueWaiting.set(waiting);
        metrics.queueOldestAge.set(oldestAgeMs === null ? 0 : oldestAgeMs / 1000);
      },
      onFlush: (count) => {
        metrics.batchFlushes.inc();
        metrics.capturesQueued.inc(count);
      },
    },
  );
  metrics.readBufferedFrom(() => sink.held);
  // A recorder pairs halves in Redis from this thread.
  const connection = config.tap.mode === 'recorder' ? createProducerConnection(deps.redisUrl) : undefined;
  connection?.on('error', (error) => logger.debug({ err: error.message }, 'redis connection error'));
  const closeQueue = async (): Promise<void> => {
    await sink.close(config.tap.shadowTimeoutMs + 1000);
    connection?.disconnect();
  };
  await Promise.all([sink.ready, connection && readyOrTimeout(connection, 2000)]);

  let tap: ReturnType<typeof buildTap>;
  try {
    const startShadows = (handlers: ShadowHandlers): ShadowThread => {
      shadowHandlers = handlers;
      return sink;
    };
    tap = buildTap(config, inline, { emit: (capture) => sink.push(capture), redactor: createRedactor(redaction), startShadows, metrics, logger }, connection);
    await new Promise<void>((resolve, reject) => {
      tap.server.once('error', (error) => reject(listenError(error, 'tap', config.tap.host, config.tap.port, '--tap-port N (or SHADOWDIFF_TAP_PORT)')));
      tap.server.listen(config.tap.port, config.tap.host, () => resolve());
    });
  } catch (error) {
    await closeQueue();
    throw error;
  }
  const url = urlOf(tap.server);

  // Metrics must never cost the proxied service its traffic: a busy admin port is logged, not fatal.
  let admin: AdminServer | undefined;
  let closing = false;
  try {
    admin = await startAdminServer(metrics.registry, config.tap.adminHost, config.tap.adminPort, () => {
      const { thread, redis } = sink.status();
      // A recorder also pairs halves in Redis from this thread.
      const up = redis === 'up' && (!connection || connection.status === 'ready');
      return { serving: !closing, capturing: thread !== 'down' && thread !== 'stopped' && up, shadowThread: thread, redis: up ? 'up' : 'down', buffered: sink.held };
    });
  } catch (error) {
    logger.error({ err: (error as Error).message, port: config.tap.adminPort }, 'admin port unavailable: /metrics is not served');
  }

  let sweeper: NodeJS.Timeout | undefined;
  if (tap.sweep) {
    const sweep = tap.sweep;
    let sweeping = false;
    sweeper = setInterval(() => {
      if (sweeping) return;
      sweeping = true;
      sweep()
        .catch((error: Error) => logger.debug({ err: error.message }, 'sweep of unmatched halves failed'))
        .finally(() => (sweeping = false));
    }, Math.min(1000, Math.max(50, Math.floor(config.tap.recorder.joinWindowMs / 4))));
    sweeper.unref();
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
      await tap.close();
      if (sweeper) clearInterval(sweeper);
      await closeQueue();
      await admin?.close();
    },
  };
}
