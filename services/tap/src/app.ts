import type { Server } from 'node:http';
import type { Logger } from '@shadowdiff/core';
import type { TapMetrics } from './metrics.ts';
import { createCopyShedding } from './copy-shedding.ts';
import { createMirrorPolicy } from './mirror-policy.ts';
import { closeServer, createProxyServer, createUpstream } from './proxy-server.ts';
import type { ShadowSettings } from './shadow/shadow-jobs.ts';
import type { Shadows, ShadowTargets } from './shadow/shadows.ts';
import { createTapHandler } from './tap-handler.ts';

/** What the inline tap mirrors, and its bounds. */
export interface TapOptions {
  run: string;
  primaryUrl: string;
  candidateUrl: string;
  secondaryUrl?: string;
  /** 0–100, fractions allowed. */
  mirrorPercentage: number;
  /** Without a secondary: share (0–100) of mirrored safe requests sent to the primary again as controls. */
  controlPercentage?: number;
  mirrorUnsafeMethods: boolean;
  /** `header:NAME` or `query:NAME`: sample consistently on that value. */
  sampleKey?: string;
  routes?: { include?: readonly string[]; exclude?: readonly string[]; allowUnsafe?: readonly string[] };
  shadowTimeoutMs: number;
  maxBodyBytes: number;
  shadowHostSuffix: boolean;
  maxInFlightShadows: number;
  /** Copies are shed while the serving thread is busy more than this share of its time (1: never). */
  shedCopiesAbove?: number;
}

export interface TapDeps {
  /**
   * What sends the copies and queues the captures (the shadow thread in production), its reports
   * already wired. Whoever built it closes it, after the tap.
   */
  shadows: Shadows;
  metrics: TapMetrics;
  logger: Logger;
}

/** A tap's server (not yet listening) and how to stop it. */
export interface Tap {
  server: Server;
  /** Stops accepting, lets requests in flight finish, closes upstream pools (not the shadows). */
  close(): Promise<void>;
}

/** Where a tap's copies go: the candidate, and the secondary or else the primary for control copies. */
export function shadowTargetsOf(options: TapOptions): ShadowTargets {
  return {
    candidateUrl: options.candidateUrl,
    ...(options.secondaryUrl ? { secondaryUrl: options.secondaryUrl } : {}),
    ...(options.controlPercentage ? { control: { primaryUrl: options.primaryUrl, percentage: options.controlPercentage } } : {}),
    maxInFlightShadows: options.maxInFlightShadows,
  };
}

/** What every copy of a tap shares. */
export function shadowSettingsOf(options: TapOptions): ShadowSettings {
  return { run: options.run, shadowHostSuffix: options.shadowHostSuffix, shadowTimeoutMs: options.shadowTimeoutMs, maxBodyBytes: options.maxBodyBytes };
}

/** Builds the inline tap's HTTP server (not yet listening) from its options and dependencies. */
export function createTap(options: TapOptions, deps: TapDeps): Tap {
  const primary = createUpstream(options.primaryUrl, 256);
  const shedding = createCopyShedding(options.shedCopiesAbove ?? 1);
  deps.metrics.readSheddingFrom(shedding);
  const handle = createTapHandler({
    run: options.run,
    primary,
    hasSecondary: options.secondaryUrl !== undefined,
    shadows: deps.shadows,
    decide: createMirrorPolicy({
      percentage: options.mirrorPercentage,
      mirrorUnsafeMethods: options.mirrorUnsafeMethods,
      ...(options.sampleKey ? { sampleKey: options.sampleKey } : {}),
      ...options.routes,
    }),
    maxBodyBytes: options.maxBodyBytes,
    maxInFlightShadows: options.maxInFlightShadows,
    shedding,
    metrics: deps.metrics,
    logger: deps.logger,
  });
  const server = createProxyServer(handle, deps.metrics);
  return {
    server,
    async close() {
      shedding.stop();
      await closeServer(server);
      await primary.dispatcher.close();
    },
  };
}
