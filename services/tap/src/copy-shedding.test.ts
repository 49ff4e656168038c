import type { EventLoopUtilization } from 'node:perf_hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCopyShedding, MIN_COPY_SHARE, MIN_WINDOW_COPIES, nextCopyShare, SHEDDING_INTERVAL_MS } from './copy-shedding.ts';

describe('nextCopyShare', () => {
  const many = MIN_WINDOW_COPIES;
  it('halves the share while the serving thread is busy with enough copies, down to the floor', () => {
    expect(nextCopyShare(1, { utilization: 0.95, copies: many }, 0.8)).toBe(0.5);
    let share = 1;
    for (let i = 0; i < 20; i++) share = nextCopyShare(share, { utilization: 0.95, copies: many }, 0.8);
    expect(share).toBe(MIN_COPY_SHARE);
  });

  it('keeps every copy when the thread is busy with few requests (starting up, compiling)', () => {
    expect(nextCopyShare(1, { utilization: 1, copies: many - 1 }, 0.8)).toBe(1);
  });

  it('holds the share in the band just below the threshold, and raises it by a tenth below the band', () => {
    expect(nextCopyShare(0.25, { utilization: 0.75, copies: many }, 0.8)).toBe(0.25);
    expect(nextCopyShare(0.25, { utilization: 0.5, copies: many }, 0.8)).toBeCloseTo(0.35);
    expect(nextCopyShare(0.95, { utilization: 0, copies: 0 }, 0.8)).toBe(1);
  });

  it('recovers below half of a low threshold', () => {
    expect(nextCopyShare(0.5, { utilization: 0.04, copies: MIN_WINDOW_COPIES }, 0.1)).toBeCloseTo(0.6);
    expect(nextCopyShare(0.5, { utilization: 0.06, copies: MIN_WINDOW_COPIES }, 0.1)).toBe(0.5);
  });
});

describe('createCopyShedding', () => {
  afterEach(() => void vi.useRealTimers());

  /** Event-loop readings as performance.eventLoopUtilization gives them, driven by the test. */
  function fakeLoop() {
    const reading = { idle: 0, active: 0 };
    return {
      read: (): EventLoopUtilization => ({ ...reading, utilization: reading.active / (reading.idle + reading.active || 1) }),
      /** One interval passes with the thread busy `utilization` of it. */
      pass(utilization: number): void {
        reading.active += SHEDDING_INTERVAL_MS * utilization;
        reading.idle += SHEDDING_INTERVAL_MS * (1 - utilization);
      },
    };
  }

  it('sheds evenly while busy and sends every copy again within a second once it is not', () => {
    vi.useFakeTimers();
    const loop = fakeLoop();
    const shedding = createCopyShedding(0.8, loop.read);
    const interval = (utilization: number, copies: number): boolean[] => {
      const admitted = Array.from({ length: copies }, () => shedding.admit());
      loop.pass(utilization);
      vi.advanceTimersByTime(SHEDDING_INTERVAL_MS);
      return admitted;
    };
    // Busy with 100 copies an interval: within two seconds only the floor is kept.
    for (let i = 0; i < 20; i++) interval(0.95, 100);
    expect(shedding.utilization).toBeCloseTo(0.95);
    expect(shedding.share).toBe(MIN_COPY_SHARE);
    const kept = interval(0.95, 1000);
    expect(kept.filter(Boolean)).toHaveLength(1000 * MIN_COPY_SHARE);
    // Kept copies are spread, not bunched: one in each hundred.
    expect(kept.findIndex(Boolean)).toBeLessThan(100);

    // The window (1 s) still remembers the busy time for a while; then the share climbs back to all.
    interval(0.2, 100);
    expect(shedding.share).toBe(MIN_COPY_SHARE);
    for (let i = 0; i < 25; i++) interval(0.2, 100);
    expect(shedding.share).toBe(1);
    expect(interval(0.2, 100).every(Boolean)).toBe(true);
    shedding.stop();
  });

  it('never sheds at 1', () => {
    vi.useFakeTimers();
    const loop = fakeLoop();
    const shedding = createCopyShedding(1, loop.read);
    for (let i = 0; i < 10; i++) {
      loop.pass(1);
      vi.advanceTimersByTime(SHEDDING_INTERVAL_MS);
    }
    expect(Array.from({ length: 100 }, () => shedding.admit()).every(Boolean)).toBe(true);
    expect(shedding.share).toBe(1);
    shedding.stop();
  });
});
