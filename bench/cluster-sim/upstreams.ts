/**
 * The simulation's loopback upstreams. The primary answers every route at once (and resets one
 * `/items` request in a thousand, so some primaries fail); the candidate answers the same
 * routes, differently on some, and fails a share of `/reports` (resets and answers too slow for
 * the tap's shadow timeout). The candidate notes the `sid` query parameter of every request it
 * receives, the load's own id of each request, so copies can be counted once each.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback HTTP server of the simulation. */
export interface SimUpstream {
  url: string;
  close(): Promise<void>;
}

/** The candidate, with what it has seen. */
export interface SimCandidate extends SimUpstream {
  /** Requests received, copies of the same request included. */
  received(): number;
  /** The load ids (`sid`) of the requests received, each once. */
  seen: Set<string>;
}

/** How long a slow candidate answer takes: longer than the tap's shadow timeout, so it times out. */
export const SLOW_CANDIDATE_MS = 1500;

/** The request's sequence number within its load generator (`sid=t0-123` gives 123), or -1. */
function sequenceOf(sid: string | null): number {
  const n = Number(sid?.slice(sid.indexOf('-') + 1));
  return Number.isInteger(n) ? n : -1;
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(bytes.length) });
  res.end(bytes);
}

/** The document a route answers; `candidate` changes some fields of some routes. */
function document(path: string, n: number, candidate: boolean, requestBody: string): { status: number; body: unknown } {
  const id = Number(path.split('/')[2] ?? 0);
  if (path.startsWith('/users/')) {
    // A quarter of the users' plans were renamed in the candidate.
    const plan = candidate && id % 4 === 0 ? 'pro' : 'premium';
    return { status: 200, body: { id, name: `user ${id}`, plan, limits: { seats: 5 + (id % 3), storageGb: 100 } } };
  }
  if (path === '/search') {
    const hits = [3, 1, 2].map((k) => ({ id: k, score: 1 / k }));
    // One search in five comes back in another order from the candidate.
    return { status: 200, body: { total: hits.length, hits: candidate && n % 5 === 0 ? hits.reverse() : hits } };
  }
  if (path === '/orders') {
    const order = JSON.parse(requestBody || '{}') as { items?: unknown[] };
    // The candidate answers 201 Created where the primary said 200.
    return { status: candidate ? 201 : 200, body: { accepted: true, items: order.items?.length ?? 0 } };
  }
  if (path.startsWith('/reports/')) return { status: 200, body: { id, rows: Array.from({ length: 20 }, (_, k) => ({ k, v: k * id })) } };
  return { status: 200, body: { id, name: `item ${id}`, price: 10 + (id % 90), stock: id % 7 } };
}

function listen(handle: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<{ server: Server; url: string }> {
  const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString()));
  });
  server.maxRequestsPerSocket = 0;
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })),
  );
}

const closer = (server: Server) => (): Promise<void> =>
  new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

/** Starts the primary. */
export async function startPrimary(): Promise<SimUpstream> {
  const { server, url } = await listen((req, res, body) => {
    const target = new URL(req.url!, 'http://x');
    const n = sequenceOf(target.searchParams.get('sid'));
    if (target.pathname.startsWith('/items/') && n % 1000 === 7) return void req.socket.destroy();
    const { status, body: doc } = document(target.pathname, n, false, body);
    answer(res, status, doc);
  });
  return { url, close: closer(server) };
}

/** Starts the candidate. */
export async function startCandidate(): Promise<SimCandidate> {
  const seen = new Set<string>();
  let received = 0;
  const { server, url } = await listen((req, res, body) => {
    const target = new URL(req.url!, 'http://x');
    const sid = target.searchParams.get('sid');
    received++;
    if (sid) seen.add(sid);
    const n = sequenceOf(sid);
    const { status, body: doc } = document(target.pathname, n, true, body);
    if (target.pathname.startsWith('/reports/') && n % 3 === 0) return void req.socket.destroy();
    if (target.pathname.startsWith('/reports/') && n % 3 === 1) return void setTimeout(() => !res.destroyed && answer(res, status, doc), SLOW_CANDIDATE_MS);
    answer(res, status, doc);
  });
  return { url, seen, received: () => received, close: closer(server) };
}
