/**
 * The tap's targets, each a ratio to a peer measured in the same run, so that a busy machine
 * moves the peer and the tap alike. Every figure is the median of the per-round values (each
 * round measures every target once, back to back), with the lowest and highest round.
 */
import type { CpuPerRequest } from './cpu-usage.ts';
import type { CaptureCounts } from './peers.ts';
import type { RateResult, WrkResult } from './processes.ts';

/** Which machine state a set of rounds ran in. */
export type Load = 'idle' | 'hog';

export const LOAD_NAMES: Record<Load, string> = { idle: 'idle machine', hog: 'CPU hog on every core' };

/** One target's rounds (in round order) and their medians. */
export interface TargetResult {
  name: string;
  rate: RateResult;
  full?: WrkResult;
  rounds: { rate: RateResult[]; full: WrkResult[] };
  /** For the taps: what became of the requests and their copies over all rounds, at the fixed rate and at full load. */
  captures?: { fixed: CaptureCounts; full: CaptureCounts };
  /** What each request at the fixed rate cost in CPU, round by round (absent from results older than this reading). */
  cpu?: CpuPerRequest[];
}

/** The primary's latency behind one mirroring proxy, with a fast candidate and with a slow one, round by round. */
export interface SlowResult {
  name: string;
  fast: RateResult[];
  slow: RateResult[];
}

export interface LoadResult {
  load: Load;
  targets: TargetResult[];
  slow: SlowResult[];
}

/** A figure over the rounds: the median and the lowest and highest round. */
export interface Spread {
  median: number;
  low: number;
  high: number;
}

export function spreadOf(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, low: sorted[0]!, high: sorted.at(-1)! };
}

export const TAP = 'shadowdiff tap, 100% mirrored';
/** The same tap with copy shedding turned off (`tap.shedCopiesAbove: 1`): what shedding buys, in the same rounds. */
export const TAP_UNSHED = 'shadowdiff tap, 100% mirrored, never shedding';
export const NGINX = 'nginx mirror (100%)';
export const DIRECT = 'direct';

export interface TargetFigure {
  name: string;
  /** How the limit reads, e.g. "≤ 1.00×". */
  limit: string;
  figure: Spread;
  met: boolean;
  /** How the figure is shown: a ratio (×) or a change (%). */
  unit: '×' | '%';
}

function byName(result: LoadResult, name: string): TargetResult {
  const target = result.targets.find((t) => t.name === name);
  if (!target) throw new Error(`no "${name}" in the ${result.load} rounds`);
  return target;
}

/** Applies `f` to the values each round measured for the named targets. */
function perRound(count: number, f: (round: number) => number): number[] {
  return Array.from({ length: count }, (_, round) => f(round));
}

/** The three targets in one load's rounds. */
export function targetFigures(result: LoadResult): TargetFigure[] {
  const direct = byName(result, DIRECT);
  const tap = byName(result, TAP);
  const nginx = byName(result, NGINX);
  const rounds = Math.min(direct.rounds.rate.length, tap.rounds.rate.length, nginx.rounds.rate.length);
  const added = (t: TargetResult, round: number): number => t.rounds.rate[round]!.p99 - direct.rounds.rate[round]!.p99;
  const addedRatio = spreadOf(perRound(rounds, (r) => added(tap, r) / added(nginx, r)));
  const throughput = spreadOf(perRound(Math.min(tap.rounds.full.length, nginx.rounds.full.length), (r) => tap.rounds.full[r]!.rps / nginx.rounds.full[r]!.rps));
  const figures: TargetFigure[] = [
    { name: "1000 req/s, 100% mirrored: the tap's added p99 over direct ÷ nginx mirror's", limit: '≤ 1.00×', figure: addedRatio, met: addedRatio.median <= 1, unit: '×' },
    { name: "full load, 100% mirrored: the tap's throughput ÷ nginx mirror's", limit: '≥ 1.25×', figure: throughput, met: throughput.median >= 1.25, unit: '×' },
  ];
  const slow = result.slow.find((s) => s.name === TAP);
  if (slow) {
    const change = spreadOf(perRound(Math.min(slow.fast.length, slow.slow.length), (r) => (slow.slow[r]!.p99 / slow.fast[r]!.p99 - 1) * 100));
    figures.push({ name: "a candidate answering after 500 ms: change in the primary's p99 behind the tap", limit: '≤ +10%', figure: change, met: change.median <= 10, unit: '%' });
  }
  return figures;
}
