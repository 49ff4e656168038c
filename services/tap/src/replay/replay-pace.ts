/** How fast a replay sends: a fixed rate, the recording's own timing scaled, or as fast as it can. */
export type ReplayPace = { kind: 'rate'; perSecond: number } | { kind: 'speed'; factor: number } | { kind: 'max' };

/** `--rate 200` (requests a second) or `--speed 2x` / `--speed max`, checked; the recording's own pace by default. */
export function parsePace(options: { rate?: string; speed?: string }): ReplayPace {
  if (options.rate !== undefined && options.speed !== undefined) throw new Error('give --rate or --speed, not both');
  if (options.rate !== undefined) {
    const perSecond = Number(options.rate.replace(/\/s$/, ''));
    if (!Number.isFinite(perSecond) || perSecond <= 0) throw new Error(`--rate must be requests a second above 0 (like 200 or 200/s), not ${JSON.stringify(options.rate)}`);
    return { kind: 'rate', perSecond };
  }
  const speed = options.speed ?? '1x';
  if (speed === 'max') return { kind: 'max' };
  const factor = Number(speed.replace(/x$/i, ''));
  if (!Number.isFinite(factor) || factor <= 0) throw new Error(`--speed must be a factor of the recorded pace (like 1x, 2x, 0.5x) or max, not ${JSON.stringify(speed)}`);
  return { kind: 'speed', factor };
}

/**
 * Milliseconds after the replay's start at which the `sequence`-th exchange sent (0-based)
 * is due; `offsetMs` is how long after the first replayed exchange it was recorded.
 */
export function dueAfterMs(pace: ReplayPace, sequence: number, offsetMs: number): number {
  switch (pace.kind) {
    case 'rate':
      return (sequence * 1000) / pace.perSecond;
    case 'speed':
      return Math.max(0, offsetMs) / pace.factor;
    case 'max':
      return 0;
  }
}
