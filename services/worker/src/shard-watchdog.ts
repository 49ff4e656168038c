import type { Logger } from '@shadowdiff/core';

/** What the watchdog needs to know about, and do to, each queue shard's consumer. */
export interface ShardWatchdogOptions {
  shards: number;
  /** Batches one shard's consumer processes at once: below it, the consumer has room for more. */
  capacity: number;
  /** Batches waiting in a shard's queue for a worker, as Redis holds them now. */
  waiting(shard: number): Promise<number>;
  /** Whether a shard's consumer is meant to be taking batches (running, not paused or closing). */
  consuming(shard: number): boolean;
  /** Closes a shard's consumer and makes it anew. */
  restart(shard: number, stuckForMs: number): Promise<void>;
  /** How long a shard's batches may wait with none taken, while its consumer has room, before it is restarted. */
  stuckAfterMs: number;
  /** How often the shards are looked at (default: a fifth of `stuckAfterMs`, at most 5 s). */
  checkEveryMs?: number;
  logger: Logger;
  /** Milliseconds since the epoch (for tests of the rule alone; the current time by default). */
  now?: () => number;
}

/** Tells the watchdog what the consumers do, and stops it. */
export interface ShardWatchdog {
  /** A consumer started a batch of `shard`. */
  taken(shard: number): void;
  /** A consumer finished (or gave up) a batch of `shard`. */
  finished(shard: number): void;
  /** Looks at every shard once; what the timer does (tests call it to avoid waiting for it). */
  check(): Promise<void>;
  stop(): void;
}

interface ShardState {
  /** When this process last started a batch of the shard (or made its consumer). */
  takenAt: number;
  /** Since when checks have found batches waiting with none taken in between (null: not now). */
  waitingSince: number | null;
  inFlight: number;
  restarting: boolean;
}

/**
 * Restarts a shard's consumer that no longer takes batches. BullMQ waits for a shard's jobs on a
 * blocking connection of each consumer's own; after a Redis Cluster master restart that connection
 * (or its reconnection) can be left hanging, and the consumer, still running, never takes a batch
 * of its shard again while every other shard is served. The watchdog cannot see the connection's
 * state, so it judges by what it can see: batches have been waiting for `stuckAfterMs` (checks
 * found some each time), this process took none of that shard meanwhile, and its consumer had
 * room for more (a consumer busy at its concurrency is slow, not stuck). A queue whose batches are
 * taken by other workers rarely has any waiting, so a healthy consumer is not restarted for
 * being beaten to them.
 */
export function startShardWatchdog(options: ShardWatchdogOptions): ShardWatchdog {
  const now = options.now ?? Date.now;
  const states: ShardState[] = Array.from({ length: options.shards }, () => ({ takenAt: now(), waitingSince: null, inFlight: 0, restarting: false }));
  let stopped = false;

  const restart = async (shard: number, state: ShardState, stuckForMs: number): Promise<void> => {
    state.restarting = true;
    try {
      await options.restart(shard, stuckForMs);
    } catch (error) {
      options.logger.warn({ shard, err: (error as Error).message }, 'queue shard consumer could not be restarted; tried again at the next check');
    } finally {
      state.takenAt = now();
      state.waitingSince = null;
      state.restarting = false;
    }
  };

  const checkShard = async (shard: number): Promise<void> => {
    const state = states[shard]!;
    if (state.restarting || !options.consuming(shard)) {
      state.waitingSince = null;
      return;
    }
    const waiting = await options.waiting(shard).catch((error: unknown) => {
      options.logger.debug({ shard, err: (error as Error).message }, 'queue shard backlog not read');
      return -1;
    });
    if (waiting < 0) return;
    const at = now();
    if (waiting === 0 || state.inFlight >= options.capacity) {
      state.waitingSince = null;
      return;
    }
    state.waitingSince ??= at;
    const stuckForMs = at - Math.max(state.waitingSince, state.takenAt);
    if (stuckForMs < options.stuckAfterMs || stopped) return;
    options.logger.warn({ shard, waiting, stuckForMs }, 'queue shard has batches waiting that its consumer does not take: restarting the consumer');
    await restart(shard, state, stuckForMs);
  };

  const check = async (): Promise<void> => {
    await Promise.all(states.map((_, shard) => checkShard(shard)));
  };

  // A check still waiting on Redis (away, its commands queued) is not joined by more of them.
  let checking = false;
  const timer = setInterval(() => {
    if (checking) return;
    checking = true;
    void check().finally(() => (checking = false));
  }, options.checkEveryMs ?? Math.min(5000, Math.max(100, Math.floor(options.stuckAfterMs / 5))));
  timer.unref();

  return {
    taken(shard) {
      const state = states[shard]!;
      state.inFlight += 1;
      state.takenAt = now();
      state.waitingSince = null;
    },
    finished(shard) {
      const state = states[shard]!;
      state.inFlight = Math.max(0, state.inFlight - 1);
    },
    check,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
