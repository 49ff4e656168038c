import type { Capture, CapturedRequest, CapturedResponse } from '@shadowdiff/core';
import type { RedisConnection } from './connection.ts';

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

// KEYS: own half, other half (one slot: both tagged by the request id).
// ARGV: half JSON, idle expiry ms.
// Of two halves submitted at once, exactly one finds the other: the script runs whole.
const PAIR_SCRIPT = `
local other = redis.call('GET', KEYS[2])
if other then
  redis.call('DEL', KEYS[2])
  return other
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false
`;

// KEYS: deadlines (one slot per run and side). ARGV: request id, join window ms, idle expiry ms.
// The server's clock sets deadlines, and the same node reads them when sweeping, so recorders
// on hosts with skewed clocks still agree.
const DEADLINE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`;

// KEYS: deadlines. ARGV: most entries to take.
// Taking the due ids out and reading them happen together, so with any number of recorders
// sweeping, each id is taken by one of them.
const TAKE_DUE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
if #ids > 0 then redis.call('ZREM', KEYS[1], unpack(ids)) end
return ids
`;

const SWEEP_LIMIT = 1000;

interface PairingCommands {
  shadowdiffPairHalf(own: string, other: string, half: string, expiryMs: number): Promise<string | null>;
  shadowdiffHalfDeadline(due: string, id: string, windowMs: number, expiryMs: number): Promise<number>;
  shadowdiffTakeDueHalves(due: string, limit: number): Promise<string[]>;
}

/**
 * Pairs mesh halves in Redis. A waiting half is one key, tagged by its run and request id so that
 * both halves of an exchange share a slot on a Redis Cluster (pairs spread over the whole
 * cluster); each side also has a sorted set of deadlines per run, which holds request ids only.
 * An unmatched half is counted by whoever deletes its key after the deadline: a delete succeeds
 * once, so it is counted once, and a half already paired is not counted at all.
 */
export function createHalfPairer(redis: RedisConnection, options: HalfPairerOptions): HalfPairer {
  const r = redis as RedisConnection & PairingCommands;
  if (typeof r.shadowdiffPairHalf !== 'function') {
    redis.defineCommand('shadowdiffPairHalf', { numberOfKeys: 2, lua: PAIR_SCRIPT });
    redis.defineCommand('shadowdiffHalfDeadline', { numberOfKeys: 1, lua: DEADLINE_SCRIPT });
    redis.defineCommand('shadowdiffTakeDueHalves', { numberOfKeys: 1, lua: TAKE_DUE_SCRIPT });
  }
  const prefix = options.prefix ?? 'shadowdiff';
  const halfKey = (side: HalfSide, requestId: string): string => `${prefix}:pair:{${options.run}/${requestId}}:${side}`;
  const due = { primary: `${prefix}:pair:{${options.run}}:due:primary`, candidate: `${prefix}:pair:{${options.run}}:due:candidate` };
  // Idle keys vanish on their own should every recorder of the run be gone.
  const expiryMs = options.joinWindowMs * 3 + 60_000;

  return {
    async submit(half) {
      const other: HalfSide = half.side === 'primary' ? 'candidate' : 'primary';
      const found = await r.shadowdiffPairHalf(halfKey(half.side, half.requestId), halfKey(other, half.requestId), JSON.stringify(half), expiryMs);
      if (found === null) {
        // The deadline is noted after the half is stored: a partner taking it meanwhile leaves a
        // deadline whose sweep finds no key, and counts nothing.
        await r.shadowdiffHalfDeadline(due[half.side], half.requestId, options.joinWindowMs, expiryMs);
        return { paired: false };
      }
      const partner = JSON.parse(found) as Half;
      return half.side === 'primary' ? { paired: true, primary: half, candidate: partner } : { paired: true, primary: partner, candidate: half };
    },
    async sweep() {
      const counts: Record<HalfSide, number> = { primary: 0, candidate: 0 };
      for (const side of ['primary', 'candidate'] as const) {
        for (;;) {
          const ids = await r.shadowdiffTakeDueHalves(due[side], SWEEP_LIMIT);
          const removed = await Promise.all(ids.map((id) => redis.del(halfKey(side, id))));
          counts[side] += removed.reduce((sum, n) => sum + n, 0);
          if (ids.length < SWEEP_LIMIT) break;
        }
      }
      return counts;
    },
  };
}
