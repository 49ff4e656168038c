import { ConfigError, createRedactor } from '@shadowdiff/core';
import type { ShadowdiffConfig } from '@shadowdiff/config';
import { connectProducer, createHalfPairer, readyOrTimeout, type HalfPairer } from '@shadowdiff/queue';
import { createRecorder } from './recorder.ts';
import { startShadowSide, type TapMode, type TapModeDeps } from './tap-mode.ts';

/**
 * Sweeps the halves whose partner did not arrive within the join window, counting them, a few
 * times per window. Returns the timer, to be cleared on close.
 */
function startSweeping(pairer: HalfPairer, joinWindowMs: number, { metrics, logger }: Pick<TapModeDeps, 'metrics' | 'logger'>): NodeJS.Timeout {
  let sweeping = false;
  const sweeper = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    pairer
      .sweep()
      .then((unmatched) => {
        for (const side of ['primary', 'candidate'] as const) {
          if (unmatched[side] > 0) metrics.unmatchedHalves.inc({ side }, unmatched[side]);
        }
      })
      .catch((error: Error) => logger.debug({ err: error.message }, 'sweep of unmatched halves failed'))
      .finally(() => (sweeping = false));
  }, Math.min(1000, Math.max(50, Math.floor(joinWindowMs / 4))));
  sweeper.unref();
  return sweeper;
}

/**
 * A recorder in front of one side of a mesh mirror: it records that side's half of each
 * exchange and pairs halves in Redis from this thread; the shadow thread queues the pairs.
 */
export async function startRecorderMode(config: ShadowdiffConfig, deps: TapModeDeps): Promise<TapMode> {
  const { tap } = config;
  const { upstream, side, joinWindowMs } = tap.recorder;
  if (!upstream) throw new ConfigError('a recorder needs tap.recorder.upstream (flag --upstream)');
  const connection = connectProducer({ url: deps.redisUrl, cluster: config.redis.cluster });
  connection.on('error', (error) => deps.logger.debug({ err: error.message }, 'redis connection error'));
  const [thread] = await Promise.all([startShadowSide(config, deps), readyOrTimeout(connection, 2000)]);
  const pairer = createHalfPairer(connection, { run: config.run, joinWindowMs });
  const recorder = createRecorder(
    {
      run: config.run,
      upstreamUrl: upstream,
      side,
      maxBodyBytes: tap.maxBodyBytes,
      routes: { include: tap.routes.include, exclude: tap.routes.exclude },
      maxPendingHalves: tap.maxBufferedCaptures,
    },
    { pairer, emit: (capture) => thread.push(capture), redactor: createRedactor(deps.redaction), metrics: deps.metrics, logger: deps.logger },
  );
  const sweeper = startSweeping(pairer, joinWindowMs, deps);
  return {
    server: recorder.server,
    status() {
      const status = thread.status();
      return { thread: status.thread, redis: status.redis === 'up' && connection.status === 'ready' ? 'up' : 'down' };
    },
    get held() {
      return thread.held;
    },
    async close() {
      await recorder.close();
      clearInterval(sweeper);
      await thread.close(tap.shadowTimeoutMs + 1000);
      connection.disconnect();
    },
  };
}
