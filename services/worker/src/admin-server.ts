import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import { listenError, listenHttp, type Listening } from '@shadowdiff/core';

/** What `/readyz` answers: `ready` decides 200 or 503; the rest says why. */
export interface Readiness {
  ready: boolean;
  [detail: string]: unknown;
}

export interface AdminServerOptions {
  registry: Registry;
  host: string;
  /** 0 picks a free port. */
  port: number;
  readiness(): Promise<Readiness>;
  /** Who listens, and how to choose another port, for the message when the port is taken. */
  part: string;
  how: string;
}

/** A process's own HTTP endpoints: a running one. */
export type AdminServer = Listening;

/**
 * Serves `/metrics` (Prometheus text), `/healthz` (liveness: the process answers) and `/readyz`
 * (JSON, 503 while not ready) on a port of their own. A port that cannot be bound is an error
 * that names it: a probe of a port nobody serves would fail anyway.
 */
export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const answer = (status: number, type: string, body: string): void => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (req.method !== 'GET') return answer(405, 'text/plain', 'GET only\n');
    if (path === '/healthz') return answer(200, 'text/plain', 'ok\n');
    if (path === '/metrics') {
      options.registry.metrics().then(
        (text) => answer(200, options.registry.contentType, text),
        () => answer(500, 'text/plain', 'metrics unavailable\n'),
      );
      return;
    }
    if (path === '/readyz') {
      options.readiness().then(
        (state) => answer(state.ready ? 200 : 503, 'application/json', `${JSON.stringify(state)}\n`),
        () => answer(503, 'application/json', `${JSON.stringify({ ready: false })}\n`),
      );
      return;
    }
    answer(404, 'text/plain', 'not found\n');
  });
  return listenHttp(server, options.host, options.port, (error) => listenError(error, options.part, options.host, options.port, options.how));
}
