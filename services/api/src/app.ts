import express, { type Express } from 'express';
import type { Registry } from 'prom-client';
import type { Logger } from '@shadowdiff/core';
import type { NoiseThresholds } from '@shadowdiff/diff';
import { LatencySketchCache, StampedCache, type Pool } from '@shadowdiff/store';
import { bearerAuth, hasTokens, type ApiTokens } from './auth.ts';
import { loopbackHostGuard, sameOriginWrites } from './host-guard.ts';
import { dashboardRouter } from './dashboard.ts';
import type { ApiContext } from './context.ts';
import { apiHandlers } from './handlers/index.ts';
import { mountHandlers } from './http/handler.ts';
import { errorMiddleware, notFoundHandler } from './http-errors.ts';
import type { Ingest } from './ingest/ingest.ts';
import type { PipelineMonitor } from './pipeline.ts';
import { healthRouter, type ReadyState } from './routes/health.ts';

/** What the API app is built from. */
export interface ApiDeps {
  pool: Pool;
  logger: Logger;
  /** Bearer tokens of /api/v1 by scope; none means open, on loopback only and behind the Host check. */
  tokens?: ApiTokens;
  registry: Registry;
  /** Thresholds of the noise classification (default: the diff engine's). */
  noise?: Partial<NoiseThresholds>;
  /** Diff rules configured for every run; a run's own rules add to them. */
  rules?: readonly unknown[];
  /** The capture queue's backlog, when this API can reach Redis: `/readyz` and active runs report it. */
  pipeline?: PipelineMonitor;
  /** Files exchanges posted to `/api/v1/ingest/*` into the capture queue; without it they are answered 503. */
  ingest?: Ingest;
  /** Largest ingest body taken, in bytes (`api.ingest.maxBodyBytes`). */
  ingestMaxBodyBytes?: number;
}

/** `api.ingest.maxBodyBytes` by default. */
const DEFAULT_INGEST_MAX_BODY_BYTES = 10 * 1024 * 1024;

/**
 * Postgres answers; with the queue known, Redis answers too and the backlog is being consumed:
 * captures older than the lag allowed, with no worker consuming within it, make the API not
 * ready, since the results it shows have stopped following the traffic.
 */
async function readiness(deps: ApiDeps): Promise<ReadyState> {
  const postgres = await deps.pool.query('SELECT 1').then(
    () => true,
    () => false,
  );
  if (!deps.pipeline) return { checks: { postgres } };
  const status = await deps.pipeline.status().catch(() => undefined);
  if (!status) return { checks: { postgres, redis: false }, backlog: null };
  const { backlog } = status;
  return {
    checks: { postgres, redis: true, consuming: !status.stalled },
    backlog: {
      waitingCaptures: backlog.waitingCaptures,
      waitingBatches: backlog.waitingBatches,
      oldestWaitingSeconds: backlog.oldestWaitingMs === null ? null : backlog.oldestWaitingMs / 1000,
      secondsSinceConsumed: backlog.lastConsumedMs === null ? null : backlog.lastConsumedMs / 1000,
      consumedWithinSeconds: { seconds: status.maxLagSeconds, consumed: status.consumedRecently },
      workers: backlog.workers,
    },
  };
}

/** Builds the API application from its dependencies; listening is the caller's business. */
export function createApp(deps: ApiDeps): Express {
  const ctx: ApiContext = { pool: deps.pool, logger: deps.logger, noise: deps.noise ?? {}, configuredRules: deps.rules ?? [], latencySketches: new LatencySketchCache(), noiseMemory: new StampedCache(), findingInputs: new StampedCache(), ...(deps.pipeline ? { pipeline: deps.pipeline } : {}), ...(deps.ingest ? { ingest: deps.ingest } : {}) };
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // Without a token, only this machine may ask, by a loopback name: a page rebound to 127.0.0.1 may not.
  if (!hasTokens(deps.tokens)) app.use(loopbackHostGuard());
  app.use(sameOriginWrites());
  app.use(healthRouter(() => readiness(deps)));
  app.get('/metrics', async (_req, res) => {
    res.type(deps.registry.contentType).send(await deps.registry.metrics());
  });
  const v1 = express.Router();
  v1.use(bearerAuth(deps.tokens));
  mountHandlers(v1, apiHandlers(ctx), { json: '1mb', ndjson: deps.ingestMaxBodyBytes ?? DEFAULT_INGEST_MAX_BODY_BYTES });
  app.use('/api/v1', v1);
  app.use(dashboardRouter());
  app.use(notFoundHandler);
  app.use(errorMiddleware(deps.logger));
  return app;
}
