import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import { listenHttp, type Listening } from '@shadowdiff/core';

/** The tap's own HTTP endpoints, on a port apart from the proxied traffic. */
export type AdminServer = Listening;

/** What `/readyz` reports: whether the tap serves clients, and whether it captures. */
export interface TapReadiness {
  /** Listening and not shutting down: the only thing `/readyz` answers 503 for by default. */
  serving: boolean;
  /** Captures reach the queue: Redis up and the shadow thread running. */
  capturing: boolean;
  [detail: string]: unknown;
}

/**
 * Serves `/metrics` (Prometheus text), `/healthz` (liveness) and `/readyz` on `host:port`
 * (0 picks a free port). `/readyz` is 503 only when the tap does not serve clients: a tap in the
 * request path must never be taken out of it because the shadow side is down. `/readyz?capture=1`
 * is also 503 while captures are not reaching the queue, for checks that want that.
 */
export async function startAdminServer(registry: Registry, host: string, port: number, readiness: () => TapReadiness): Promise<AdminServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/metrics') {
      registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(text);
        },
        () => {
          res.writeHead(500);
          res.end();
        },
      );
      return;
    }
    if (req.method === 'GET' && path === '/readyz') {
      const state = readiness();
      const strict = new URLSearchParams((req.url ?? '').split('?')[1] ?? '').get('capture');
      const ready = state.serving && (strict === null || strict === '0' || strict === 'false' || state.capturing);
      res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' });
      res.end(`${JSON.stringify({ ready, ...state })}\n`);
      return;
    }
    if (req.method === 'GET' && path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok\n');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
  });
  return listenHttp(server, host, port);
}
