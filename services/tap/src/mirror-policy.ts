import { compileRoutes, pathOf } from './route-matcher.ts';
import { parseSampleKey, queryParam, sampledByKey } from './sampling.ts';

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface MirrorPolicyOptions {
  /** 0–100, fractions allowed, as Istio's mirrorPercentage. */
  percentage: number;
  mirrorUnsafeMethods: boolean;
  /** `header:NAME` or `query:NAME`: sample consistently on that value. */
  sampleKey?: string;
  /** When not empty, only matching routes are mirrored. */
  include?: readonly string[];
  /** Never mirrored; wins over `include`. */
  exclude?: readonly string[];
  /** Unsafe methods mirrored on these routes even when `mirrorUnsafeMethods` is false. */
  allowUnsafe?: readonly string[];
}

/** Why a request was not mirrored, or `mirror`. Each reason is counted. */
export type MirrorDecision = 'mirror' | 'route_excluded' | 'unsafe_method' | 'sampled_out';

/** What the policy reads from a request. */
export interface PolicyRequest {
  method: string;
  url: string;
  /** A header's first value by lower-case name (only asked for the sampling key). */
  header(name: string): string | undefined;
}

/** Decides, per request, whether a copy goes to the shadow side. */
export function createMirrorPolicy(options: MirrorPolicyOptions): (request: PolicyRequest) => MirrorDecision {
  const share = options.percentage / 100;
  const include = compileRoutes(options.include ?? []);
  const exclude = compileRoutes(options.exclude ?? []);
  const allowUnsafe = compileRoutes(options.allowUnsafe ?? []);
  const key = options.sampleKey ? parseSampleKey(options.sampleKey) : undefined;
  const routed = include !== undefined || exclude !== undefined || (allowUnsafe !== undefined && !options.mirrorUnsafeMethods);

  return (request) => {
    const { method } = request;
    const unsafe = UNSAFE_METHODS.has(method);
    if (routed) {
      const path = pathOf(request.url);
      if (exclude?.(method, path) || (include && !include(method, path))) return 'route_excluded';
      if (unsafe && !options.mirrorUnsafeMethods && !allowUnsafe?.(method, path)) return 'unsafe_method';
    } else if (unsafe && !options.mirrorUnsafeMethods) return 'unsafe_method';
    if (share >= 1) return 'mirror';
    if (share <= 0) return 'sampled_out';
    if (key) {
      const value = key.from === 'header' ? request.header(key.name) : queryParam(request.url, key.name);
      if (value !== undefined) return sampledByKey(value, options.percentage) ? 'mirror' : 'sampled_out';
    }
    return Math.random() < share ? 'mirror' : 'sampled_out';
  };
}
