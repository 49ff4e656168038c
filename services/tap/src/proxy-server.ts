import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Agent } from 'undici';
import type { Upstream } from './forward.ts';
import type { TapMetrics } from './metrics.ts';

/** An upstream with a keep-alive pool of at most `connections` sockets. */
export function createUpstream(url: string, connections: number): Upstream {
  const origin = new URL(url).origin;
  return { origin, dispatcher: new Agent({ connections, pipelining: 1, keepAliveTimeout: 30_000 }) };
}

/**
 * The node:http server the tap listens with. Node's strict parser decides what is HTTP: what it
 * rejects (malformed lines, conflicting Content-Length/Transfer-Encoding, oversized headers) is
 * answered 400/431 and the connection closed, so nothing of it, and nothing after it on the same
 * connection, reaches an upstream.
 */
export function createProxyServer(handler: (req: IncomingMessage, res: ServerResponse) => void, metrics: TapMetrics): Server {
  const server = createServer({ keepAliveTimeout: 65_000, insecureHTTPParser: false }, handler);
  const rejected = metrics.requests.labels({ outcome: 'rejected' });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    rejected.inc();
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const reason = status === 431 ? 'Request Header Fields Too Large' : 'Bad Request';
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    socket.destroySoon();
  });
  return server;
}

/** Stops accepting, lets requests in flight finish, then closes idle keep-alive connections. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
