const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface MirrorPolicyOptions {
  /** 0–100, fractions allowed, as Istio's mirrorPercentage. */
  percentage: number;
  mirrorUnsafeMethods: boolean;
}

/** Decides, per request, whether a copy goes to the shadow side. */
export function createMirrorPolicy(options: MirrorPolicyOptions): (method: string) => boolean {
  const share = options.percentage / 100;
  return (method) => {
    if (!options.mirrorUnsafeMethods && UNSAFE_METHODS.has(method)) return false;
    if (share >= 1) return true;
    if (share <= 0) return false;
    return Math.random() < share;
  };
}
