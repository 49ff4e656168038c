import type { Server } from 'node:http';
import type { Capture, Logger } from '@shadowdiff/core';
import type { TapMetrics } from './metrics';
import { createMirrorPolicy } from './mirror-policy';
import { closeServer, createProxyServer, createUpstream } from './proxy-server';
import type { Redactor } from './redaction';
import { createTapHandler } from './tap-handler';

/** What the inline tap mirrors, and its bounds. */
export interface TapOptions {
  run: string;
  primaryUrl: string;
  candidateUrl: string;
  secondaryUrl?: string;
  /** 0–100, fractions allowed. */
  mirrorPercentage: number;
  mirrorUnsafeMethods: boolean;
  /** `header:NAME` or `query:NAME`: sample consistently on that value. */
  sampleKey?: string;
  routes?: { include?: readonly string[]; exclude?: readonly string[]; allowUnsafe?: readonly string[] };
  shadowTimeoutMs: number;
  maxBodyBytes: number;
  shadowHostSuffix: boolean;
  maxInFlightShadows: number;
}

export interface TapDeps {
  /** Receives each finished, redacted capture (the batcher in production, an array in tests). */
  emit: (capture: Capture) => void;
  redactor: Redactor;
  metrics: TapMetrics;
  logger: Logger;
}

/** A tap's server (not yet listening) and how to stop it. */
export interface Tap {
  server: Server;
  /** Stops accepting, lets requests in flight finish, closes upstream pools. */
  close(): Promise<void>;
}

/** Builds the inline tap's HTTP server (not yet listening) from its options and dependencies. */
export function createTap(options: TapOptions, deps: TapDeps): Tap {
  const primary = createUpstream(options.primaryUrl, 256);
  const shadowSides = {
    candidate: createUpstream(options.candidateUrl, options.maxInFlightShadows),
    ...(options.secondaryUrl ? { secondary: createUpstream(options.secondaryUrl, options.maxInFlightShadows) } : {}),
  };
  const { handle, settled } = createTapHandler({
    run: options.run,
    primary,
    shadowSides,
    shadowSettings: {
      run: options.run,
      shadowHostSuffix: options.shadowHostSuffix,
      shadowTimeoutMs: options.shadowTimeoutMs,
      maxBodyBytes: options.maxBodyBytes,
    },
    decide: createMirrorPolicy({
      percentage: options.mirrorPercentage,
      mirrorUnsafeMethods: options.mirrorUnsafeMethods,
      ...(options.sampleKey ? { sampleKey: options.sampleKey } : {}),
      ...options.routes,
    }),
    maxBodyBytes: options.maxBodyBytes,
    maxInFlightShadows: options.maxInFlightShadows,
    redactor: deps.redactor,
    emit: deps.emit,
    metrics: deps.metrics,
    logger: deps.logger,
  });
  const server = createProxyServer(handle, deps.metrics);
  return {
    server,
    async close() {
      await closeServer(server);
      await primary.dispatcher.close();
      // Copies in flight get their full timeout to answer before their pools close.
      await settled(options.shadowTimeoutMs + 1000);
      await Promise.all([shadowSides.candidate.dispatcher.close(), shadowSides.secondary?.dispatcher.close()]);
    },
  };
}
