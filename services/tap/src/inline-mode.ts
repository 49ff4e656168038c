import { ConfigError } from '@shadowdiff/core';
import type { ShadowdiffConfig } from '@shadowdiff/config';
import { createTap, shadowSettingsOf, shadowTargetsOf, type TapOptions } from './app.ts';
import { startShadowSide, type TapMode, type TapModeDeps } from './tap-mode.ts';

/** The inline tap's options from a configuration. */
function inlineOptions(config: ShadowdiffConfig): TapOptions {
  const { tap } = config;
  const { primary, candidate, secondary } = config.upstreams;
  if (!primary || !candidate) {
    throw new ConfigError('the tap needs upstreams.primary and upstreams.candidate (flags --primary and --candidate)');
  }
  return {
    run: config.run,
    primaryUrl: primary,
    candidateUrl: candidate,
    ...(secondary ? { secondaryUrl: secondary } : {}),
    mirrorPercentage: tap.mirrorPercentage,
    controlPercentage: tap.controlPercentage,
    mirrorUnsafeMethods: tap.mirrorUnsafeMethods,
    ...(tap.sampleKey ? { sampleKey: tap.sampleKey } : {}),
    routes: tap.routes,
    shadowTimeoutMs: tap.shadowTimeoutMs,
    maxBodyBytes: tap.maxBodyBytes,
    shadowHostSuffix: tap.shadowHostSuffix,
    maxInFlightShadows: tap.maxInFlightShadows,
    shedCopiesAbove: tap.shedCopiesAbove,
  };
}

/**
 * The inline tap: a proxy in front of the primary that mirrors to the candidate itself. Its
 * copies, their captures and the queueing run on the shadow thread.
 */
export async function startInlineMode(config: ShadowdiffConfig, deps: TapModeDeps): Promise<TapMode> {
  const options = inlineOptions(config);
  const shadows = await startShadowSide(config, deps, { ...shadowSettingsOf(options), ...shadowTargetsOf(options) });
  const tap = createTap(options, { shadows, metrics: deps.metrics, logger: deps.logger });
  return {
    server: tap.server,
    status: () => shadows.status(),
    get held() {
      return shadows.held;
    },
    async close() {
      await tap.close();
      // Copies in flight get their full timeout to answer before the thread flushes and stops.
      await shadows.close(options.shadowTimeoutMs + 1000);
    },
  };
}
