import { describe, expect, it } from 'vitest';
import { cpuMsOfStat, processTreeCpu, tapCpu, withCpu } from './cpu-usage.ts';

/** Burns `ms` of this process's CPU (not wall time: on a busy machine the two part). */
const spin = (ms: number): void => {
  const start = process.cpuUsage();
  for (;;) {
    const used = process.cpuUsage(start);
    if ((used.user + used.system) / 1000 >= ms) return;
  }
};

describe('the tap bench CPU reading', () => {
  it('reads user and system time past a command name holding spaces and parentheses', () => {
    // Fields 14 and 15 (utime, stime) are 120 and 30 ticks.
    const stat = '4242 (a (b) c) S 1 4242 4242 0 -1 4194560 1 0 0 0 120 30 0 0 20 0 1 0 5 0 0';
    expect(cpuMsOfStat(stat, 100)).toBe(1500);
  });

  it.runIf(process.platform === 'linux')('charges what the measured work burns to the serving thread, per request', async () => {
    expect(processTreeCpu(process.pid)).toBeGreaterThan(0);
    const watch = { proxy: { pid: process.pid, tap: true }, candidatePid: process.pid, redisPid: process.pid };
    const { result, cpu } = await withCpu(watch, 10, async () => {
      spin(200);
      return 'done';
    });
    expect(result).toBe('done');
    // 200 ms over 10 requests, read in clock ticks (10 ms apart), nearly all of it on this thread.
    expect(cpu.serving).toBeGreaterThanOrEqual(15_000);
    expect(cpu.shadow).toBe(0);
    expect(tapCpu(process.pid).serving).toBeGreaterThan(0);
  });
});
