import express, { type Express } from 'express';
import type { Registry } from 'prom-client';
import type { Logger } from '@shadowdiff/core';
import type { Pool } from '@shadowdiff/store';
import { bearerAuth } from './auth';
import { errorMiddleware, notFoundHandler } from './http-errors';
import { exchangesRouter } from './routes/exchanges';
import { healthRouter } from './routes/health';
import { runsRouter } from './routes/runs';

export interface ApiDeps {
  pool: Pool;
  logger: Logger;
  /** Bearer token required on /api/v1; none means open (allowed on loopback only). */
  token?: string;
  registry: Registry;
}

/** Builds the API application from its dependencies; listening is the caller's business. */
export function createApp(deps: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(
    healthRouter(async () => {
      await deps.pool.query('SELECT 1');
      return { postgres: true };
    }),
  );
  app.get('/metrics', async (_req, res) => {
    res.type(deps.registry.contentType).send(await deps.registry.metrics());
  });
  const v1 = express.Router();
  v1.use(bearerAuth(deps.token));
  v1.use(express.json({ limit: '1mb' }));
  v1.use(runsRouter(deps.pool));
  v1.use(exchangesRouter(deps.pool));
  app.use('/api/v1', v1);
  app.use(notFoundHandler);
  app.use(errorMiddleware(deps.logger));
  return app;
}
