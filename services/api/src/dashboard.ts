import { join } from 'node:path';
import express from 'express';
import { DASHBOARD_DIR, dashboardBuilt } from '@shadowdiff/dashboard';

/**
 * Browsers get the dashboard's built files; it only ever renders traffic as text, and this
 * policy makes sure nothing from a response body could run even if it were inserted as HTML.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Paths the API itself answers; everything else under GET is a dashboard view. */
const NOT_DASHBOARD = /^\/(api|healthz|readyz|metrics)(\/|$)/;

/** Serves the dashboard at `/`: assets as files, every view path as index.html (each view has its URL). */
export function dashboardRouter(): express.Router {
  const router = express.Router();
  router.use((req, res, next) => {
    if (NOT_DASHBOARD.test(req.path)) return next();
    res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    next();
  });
  if (!dashboardBuilt()) {
    router.get('/', (_req, res) => {
      res
        .status(503)
        .type('text/plain')
        .send('The dashboard is not built. Run `npm run build -w @shadowdiff/dashboard` (npm start does it). The API is at /api/v1.\n');
    });
    return router;
  }
  router.use(express.static(DASHBOARD_DIR, { index: 'index.html', fallthrough: true, maxAge: '1h', setHeaders: (res, path) => {
    // index.html names the hashed assets; it must never be cached past a rebuild.
    if (path.endsWith('index.html')) res.setHeader('cache-control', 'no-cache');
  } }));
  router.get(/.*/, (req, res, next) => {
    if (NOT_DASHBOARD.test(req.path) || req.path.startsWith('/assets/')) return next();
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(join(DASHBOARD_DIR, 'index.html'));
  });
  return router;
}
