/**
 * CPU time of the bench's processes, read from /proc (Linux only): a tap's by thread (the serving
 * thread, the shadow thread, and the rest: V8's helpers and libuv's pool), any other process with
 * its children (nginx's master and workers, an upstream, redis-server). Read before and after a
 * measurement, it tells what each request cost each of them, and so where a tail comes from.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { SHADOW_THREAD_NAME } from '@shadowdiff/tap';

/** Clock ticks per second, the unit of /proc's CPU times. */
const TICKS_PER_SECOND = ((): number => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * User plus system CPU, in ms, of one `/proc/…/stat` line. The command name, in parentheses, may
 * itself hold spaces or parentheses: the fields are counted from its last closing one.
 */
export function cpuMsOfStat(stat: string, ticksPerSecond = TICKS_PER_SECOND): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

/** A tap process's CPU so far, in ms, by thread. */
export interface TapCpu {
  serving: number;
  shadow: number;
  other: number;
}

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    // A thread or process that ended between listing and reading.
    return undefined;
  }
};

/** The CPU of a tap's threads: its main thread serves clients, the thread named SHADOW_THREAD_NAME sends the copies. */
export function tapCpu(pid: number): TapCpu {
  const cpu: TapCpu = { serving: 0, shadow: 0, other: 0 };
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const stat = read(`/proc/${pid}/task/${tid}/stat`);
    if (stat === undefined) continue;
    const role = Number(tid) === pid ? 'serving' : read(`/proc/${pid}/task/${tid}/comm`)?.trim() === SHADOW_THREAD_NAME ? 'shadow' : 'other';
    cpu[role] += cpuMsOfStat(stat);
  }
  return cpu;
}

/** The CPU, in ms, of a process, its threads and its living children's (nginx's workers). */
export function processTreeCpu(pid: number): number {
  let total = 0;
  if (!existsSync(`/proc/${pid}`)) return 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const stat = read(`/proc/${pid}/task/${tid}/stat`);
    if (stat !== undefined) total += cpuMsOfStat(stat);
    const children = read(`/proc/${pid}/task/${tid}/children`)?.trim();
    if (children) for (const child of children.split(' ')) total += processTreeCpu(Number(child));
  }
  return total;
}

/** What one request cost each process, in µs of CPU: the proxy measured (by thread for a tap), the candidate, and Redis. */
export interface CpuPerRequest {
  /** The proxy's serving thread, or the whole proxy when it is not a tap (nginx: master and workers). */
  serving: number;
  shadow?: number;
  other?: number;
  candidate: number;
  redis: number;
}

/** The processes whose CPU a measurement reads. */
export interface CpuWatch {
  /** The proxy measured, and whether it is a tap (read by thread); none for the direct path. */
  proxy?: { pid: number; tap: boolean };
  candidatePid: number;
  redisPid: number;
}

interface Reading {
  proxy?: TapCpu;
  candidate: number;
  redis: number;
}

function reading(watch: CpuWatch): Reading {
  const proxy = watch.proxy && (watch.proxy.tap ? tapCpu(watch.proxy.pid) : { serving: processTreeCpu(watch.proxy.pid), shadow: 0, other: 0 });
  return { ...(proxy ? { proxy } : {}), candidate: processTreeCpu(watch.candidatePid), redis: processTreeCpu(watch.redisPid) };
}

/** Runs `measure` and returns its result with the CPU each of `requests` requests cost the watched processes. */
export async function withCpu<T>(watch: CpuWatch, requests: number, measure: () => Promise<T>): Promise<{ result: T; cpu: CpuPerRequest }> {
  const before = reading(watch);
  const result = await measure();
  const after = reading(watch);
  const perRequest = (a: number, b: number): number => ((b - a) * 1000) / requests;
  const cpu: CpuPerRequest = {
    serving: before.proxy && after.proxy ? perRequest(before.proxy.serving, after.proxy.serving) : 0,
    candidate: perRequest(before.candidate, after.candidate),
    redis: perRequest(before.redis, after.redis),
  };
  if (watch.proxy?.tap && before.proxy && after.proxy) {
    cpu.shadow = perRequest(before.proxy.shadow, after.proxy.shadow);
    cpu.other = perRequest(before.proxy.other, after.proxy.other);
  }
  return { result, cpu };
}
