import { Router } from 'express';

/** Liveness and readiness, open without a token. `ready` checks Postgres (and whatever else the process needs). */
export function healthRouter(ready: () => Promise<Record<string, boolean>>): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const checks = await ready().catch(() => ({ ready: false }));
    const ok = Object.values(checks).every(Boolean);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'not_ready', checks });
  });
  return router;
}
