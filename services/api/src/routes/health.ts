import { Router } from 'express';

/** What `/readyz` is told: checks that must all pass, and details reported beside them. */
export interface ReadyState {
  checks: Record<string, boolean>;
  [detail: string]: unknown;
}

/** Liveness and readiness, open without a token. `ready` checks Postgres (and whatever else the process needs). */
export function healthRouter(ready: () => Promise<ReadyState>): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const { checks, ...details } = await ready().catch((): ReadyState => ({ checks: { ready: false } }));
    const ok = Object.values(checks).every(Boolean);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'not_ready', checks, ...details });
  });
  return router;
}
