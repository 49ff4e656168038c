import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDemoHandler, error, type ApiVersion, type DemoResponse } from './handlers.ts';
import { createSeedData } from './seed-data.ts';

/** One running demo API server. */
export interface DemoServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** API version it serves: `v1` (primary, secondary) or `v2` (candidate). */
  readonly version: string;
  /** Host headers of the last {@link LAST_HOSTS_LIMIT} requests, oldest first (a copy). */
  readonly lastHosts: string[];
  /** Stops listening and closes its connections; safe to call more than once. */
  close(): Promise<void>;
}

/** Options of {@link startDemoServer}. */
export interface DemoServerOptions {
  /** Interface to listen on; default `127.0.0.1`. */
  host?: string;
  /** Port to listen on; default 0 (an ephemeral port). */
  port?: number;
}

export const LAST_HOSTS_LIMIT = 50;
/** Request bodies above this are answered 413 and discarded, so memory stays bounded. */
export const MAX_BODY_BYTES = 64 * 1024;
/** How long close() lets in-flight responses finish before cutting their connections. */
const CLOSE_GRACE_MS = 1_000;

/** Starts one demo server with its own copy of the seed data. */
export async function startDemoServer(version: ApiVersion, options: DemoServerOptions = {}): Promise<DemoServer> {
  const host = options.host ?? '127.0.0.1';
  const handle = createDemoHandler(version, createSeedData());
  const hosts: string[] = [];

  // Node's HTTP/1.1 server keeps connections alive by default, which is what the tap's pool wants.
  const server = createServer((req, res) => {
    hosts.push(req.headers.host ?? '');
    if (hosts.length > LAST_HOSTS_LIMIT) hosts.shift();
    void respond(req, res);
  });

  async function respond(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let bodyText: string | undefined;
    try {
      bodyText = await readBody(req, MAX_BODY_BYTES);
    } catch {
      res.destroy(); // the client went away mid-request; nobody is left to answer
      return;
    }
    let response: DemoResponse;
    if (bodyText === undefined) {
      response = error(413, 'payload_too_large', `request body exceeds ${MAX_BODY_BYTES} bytes`);
    } else {
      try {
        response = handle({ method: req.method ?? 'GET', ...splitTarget(req.url ?? '/'), bodyText });
      } catch {
        response = error(500, 'internal_error', 'internal server error');
      }
    }
    send(res, response);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    version: version.version,
    get lastHosts() {
      return [...hosts];
    },
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        const cut = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref();
        server.close((err) => {
          clearTimeout(cut);
          if (err) reject(err);
          else resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

/**
 * Path and query from the request target. The Host header is never used to build a URL: it may
 * be anything (the tap sends `<host>-shadow`), and routing must not depend on it.
 */
function splitTarget(target: string): { path: string; query: URLSearchParams } {
  if (/^https?:\/\//i.test(target)) {
    try {
      const url = new URL(target);
      return { path: url.pathname, query: url.searchParams };
    } catch {
      return { path: target, query: new URLSearchParams() };
    }
  }
  const mark = target.indexOf('?');
  return mark === -1
    ? { path: target, query: new URLSearchParams() }
    : { path: target.slice(0, mark), query: new URLSearchParams(target.slice(mark + 1)) };
}

/** The body as UTF-8 text, or undefined when it exceeds `limit` (the rest is drained, not kept). */
function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.on('end', () => resolve(size <= limit ? Buffer.concat(chunks).toString('utf8') : undefined));
    req.on('error', reject);
    // 'close' also follows a normal 'end'; the promise is settled by then, so this is a no-op.
    req.on('close', () => reject(new Error('request closed before its body ended')));
  });
}

/** Serialises a response; the volatile fields go last so the rest of the bytes are stable. */
function send(res: ServerResponse, response: DemoResponse): void {
  const payload = JSON.stringify({ ...response.body, generatedAt: new Date().toISOString(), traceId: randomUUID() });
  res.writeHead(response.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}
