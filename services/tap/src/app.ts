import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { Agent } from 'undici';
import type { Capture, Logger } from '@shadowdiff/core';
import type { TapMetrics } from './metrics';
import { createMirrorPolicy } from './mirror-policy';
import { createTapHandler, type Upstream } from './tap-handler';

export interface TapOptions {
  run: string;
  primaryUrl: string;
  candidateUrl: string;
  secondaryUrl?: string;
  mirrorPercentage: number;
  mirrorUnsafeMethods: boolean;
  shadowTimeoutMs: number;
  maxBodyBytes: number;
  shadowHostSuffix: boolean;
  maxInFlightShadows: number;
}

export interface TapDeps {
  /** Receives each finished capture (the batcher in production, an array in tests). */
  emit: (capture: Capture) => void;
  metrics: TapMetrics;
  logger: Logger;
}

export interface Tap {
  server: Server;
  /** Stops accepting, lets requests in flight finish, closes upstream pools. */
  close(): Promise<void>;
}

function upstream(url: string, connections: number): Upstream {
  const origin = new URL(url).origin;
  return { origin, dispatcher: new Agent({ connections, pipelining: 1, keepAliveTimeout: 30_000 }) };
}

/** Builds the tap's HTTP server (not yet listening) from its options and dependencies. */
export function createTap(options: TapOptions, deps: TapDeps): Tap {
  const primary = upstream(options.primaryUrl, 256);
  const candidate = upstream(options.candidateUrl, 128);
  const secondary = options.secondaryUrl ? upstream(options.secondaryUrl, 128) : undefined;
  const handler = createTapHandler({
    run: options.run,
    primary,
    candidate,
    ...(secondary ? { secondary } : {}),
    shouldMirror: createMirrorPolicy({ percentage: options.mirrorPercentage, mirrorUnsafeMethods: options.mirrorUnsafeMethods }),
    shadowTimeoutMs: options.shadowTimeoutMs,
    maxBodyBytes: options.maxBodyBytes,
    shadowHostSuffix: options.shadowHostSuffix,
    maxInFlightShadows: options.maxInFlightShadows,
    emit: deps.emit,
    metrics: deps.metrics,
    logger: deps.logger,
  });
  const server = createServer({ keepAliveTimeout: 65_000 }, handler);
  // What Node's parser rejects (malformed, smuggling-shaped, oversized headers) is answered
  // with a 400 and the connection closed; nothing of it reaches an upstream.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    deps.metrics.requests.inc({ outcome: 'rejected' });
    if (socket.writable && error.code !== 'ECONNRESET') {
      const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
      socket.end(`HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    }
    socket.destroy();
  });
  return {
    server,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await Promise.all([primary, candidate, secondary].map((u) => u?.dispatcher.close()));
    },
  };
}
