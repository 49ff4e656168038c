import type { Redis } from 'ioredis';
import type { Capture, CapturedRequest, CapturedResponse } from '@shadowdiff/core';

/** The two sides a mesh recorder can stand in front of. */
export type HalfSide = 'primary' | 'candidate';

/** What one recorder saw of an exchange: its side's response (and, on the primary, the request). */
export interface Half {
  side: HalfSide;
  /** The `x-request-id` both halves carry: the join key. */
  requestId: string;
  capturedAt: string;
  /** Kept from the primary's half only: the candidate's copy differs just by the mesh's marks. */
  request?: CapturedRequest;
  response: CapturedResponse;
}

/** How an exchange joined from two halves is filed. */
export interface JoinedCaptureOptions {
  run: string;
  id: string;
  /** `mesh`: paired from two recorders; `ingest`: from halves posted to the API (or one of each). */
  source: 'mesh' | 'ingest';
}

/**
 * Joins two halves into the capture the workers diff: the primary's request and both responses,
 * at the primary's time. Halves are redacted before they are stored to be paired, so the capture
 * needs no more.
 */
export function captureFromHalves(primary: Half, candidate: Half, options: JoinedCaptureOptions): Capture {
  return {
    id: options.id,
    run: options.run,
    capturedAt: primary.capturedAt,
    source: options.source,
    requestId: primary.requestId,
    request: primary.request!,
    primary: primary.response,
    candidate: candidate.response,
  };
}

export interface HalfPairerOptions {
  /** Halves pair only within one run; recorders of a run must agree on its name. */
  run: string;
  /** A half waits this long for its partner before it is counted unmatched. */
  joinWindowMs: number;
  /** Key prefix in Redis. */
  prefix?: string;
}

/** How submitting a half ended. */
export type SubmitResult = { paired: false } | { paired: true; primary: Half; candidate: Half };

/** Joins halves recorded by separate processes, with Redis as their meeting point. */
export interface HalfPairer {
  /**
   * Stores the half until its partner comes, or, when the partner is already there, takes it
   * out and returns both. Atomic in Redis: of two halves, exactly one sees the other.
   */
  submit(half: Half): Promise<SubmitResult>;
  /** Removes halves whose join window has passed and returns how many there were, by side. */
  sweep(): Promise<Record<HalfSide, number>>;
}

// KEYS: own halves, other halves, own deadlines, other deadlines.
// ARGV: request id, half JSON, join window ms, idle expiry ms.
// The server's clock sets deadlines, so recorders on hosts with skewed clocks still agree.
const PAIR_SCRIPT = `
local other = redis.call('HGET', KEYS[2], ARGV[1])
if other then
  redis.call('HDEL', KEYS[2], ARGV[1])
  redis.call('ZREM', KEYS[4], ARGV[1])
  return other
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[3], ARGV[4])
return false
`;

// KEYS: halves, deadlines. ARGV: most entries to look at.
// Removing an entry and counting it happen together, so with any number of recorders
// sweeping, each unmatched half is counted exactly once.
const SWEEP_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
local removed = 0
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[2], id)
  removed = removed + redis.call('HDEL', KEYS[1], id)
end
return {#ids, removed}
`;

const SWEEP_LIMIT = 1000;

type PairingRedis = Redis & {
  shadowdiffPairHalf(k1: string, k2: string, k3: string, k4: string, id: string, half: string, windowMs: number, expiryMs: number): Promise<string | null>;
  shadowdiffSweepHalves(k1: string, k2: string, limit: number): Promise<[number, number]>;
};

/**
 * Pairs mesh halves in Redis. Each side has a hash of waiting halves and a sorted set of their
 * deadlines, all under one hash tag per run so a Redis Cluster keeps them in one slot.
 */
export function createHalfPairer(redis: Redis, options: HalfPairerOptions): HalfPairer {
  const r = redis as PairingRedis;
  if (typeof r.shadowdiffPairHalf !== 'function') {
    redis.defineCommand('shadowdiffPairHalf', { numberOfKeys: 4, lua: PAIR_SCRIPT });
    redis.defineCommand('shadowdiffSweepHalves', { numberOfKeys: 2, lua: SWEEP_SCRIPT });
  }
  const base = `${options.prefix ?? 'shadowdiff'}:pair:{${options.run}}`;
  const halves = { primary: `${base}:halves:primary`, candidate: `${base}:halves:candidate` };
  const due = { primary: `${base}:due:primary`, candidate: `${base}:due:candidate` };
  // Idle keys vanish on their own should every recorder of the run be gone.
  const expiryMs = options.joinWindowMs * 3 + 60_000;

  return {
    async submit(half) {
      const other: HalfSide = half.side === 'primary' ? 'candidate' : 'primary';
      const found = await r.shadowdiffPairHalf(
        halves[half.side],
        halves[other],
        due[half.side],
        due[other],
        half.requestId,
        JSON.stringify(half),
        options.joinWindowMs,
        expiryMs,
      );
      if (found === null) return { paired: false };
      const partner = JSON.parse(found) as Half;
      return half.side === 'primary' ? { paired: true, primary: half, candidate: partner } : { paired: true, primary: partner, candidate: half };
    },
    async sweep() {
      const counts: Record<HalfSide, number> = { primary: 0, candidate: 0 };
      for (const side of ['primary', 'candidate'] as const) {
        for (;;) {
          const [seen, removed] = await r.shadowdiffSweepHalves(halves[side], due[side], SWEEP_LIMIT);
          counts[side] += removed;
          if (seen < SWEEP_LIMIT) break;
        }
      }
      return counts;
    },
  };
}
