import { Router } from 'express';

/** What `/readyz` is told: checks that must all pass, and details reported beside them. */
export interface ReadyState {
  checks: Record<string, boolean>;
  [detail: string]: unknown;
}

/**
 * Liveness and readiness, open without a token. `ready` checks Postgres (and whatever else the
 * process needs). `/readyz?check=postgres` decides on the named checks alone (every check is
 * still reported): a load balancer keeps sending readers to an API whose database answers, even
 * while the queue behind it stalls, which is when they most need to read.
 */
export function healthRouter(ready: () => Promise<ReadyState>): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (req, res) => {
    const asked = [req.query.check ?? []].flat().flatMap((value) => String(value).split(',')).filter(Boolean);
    const { checks, ...details } = await ready().catch((): ReadyState => ({ checks: { ready: false } }));
    const unknown = asked.filter((name) => !(name in checks) && !('ready' in checks));
    if (unknown.length > 0) {
      res.status(400).json({ error: { code: 'bad_request', message: `parameter 'check' (query): no check named ${unknown.join(', ')}; checks: ${Object.keys(checks).join(', ')}` } });
      return;
    }
    const deciding = asked.length > 0 && !('ready' in checks) ? asked : Object.keys(checks);
    const ok = deciding.every((name) => checks[name]);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'not_ready', checks, ...details });
  });
  return router;
}
