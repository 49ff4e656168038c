/** Measurements of one process: how long `shadowdiff up` takes to start, and a thread's CPU time. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { findFreePort } from '@shadowdiff/local-infra';

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system) of a process's main thread so far, in milliseconds, from /proc. */
export function mainThreadCpuMs(pid: number): number {
  // The fields after the command name, which is in parentheses and may hold spaces.
  const fields = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/**
 * Starts `shadowdiff up` (the given binary) on the two upstreams and returns the milliseconds
 * from spawning it until it says it is ready; then stops it with Ctrl-C (SIGINT) and waits
 * until it has exited, so the next start finds its state folder free.
 */
export async function timeUpStart(binary: string, upstream: { primary: string; candidate: string }, stateDir: string): Promise<number> {
  const ports = await Promise.all([findFreePort(), findFreePort(), findFreePort(), findFreePort()]);
  const args = [binary, 'up', '--primary', upstream.primary, '--candidate', upstream.candidate, '--state-dir', stateDir, '--log-level', process.env.UP_LOG_LEVEL ?? 'warn',
    '--tap-port', String(ports[0]), '--api-port', String(ports[1]), '--admin-port', String(ports[2]), '--worker-admin-port', String(ports[3])];
  const started = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const ready = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`shadowdiff up: not ready within 120 s\n${out}\n${err}`)), 120_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Press Ctrl-C to stop.')) {
        clearTimeout(timer);
        resolve(performance.now() - started);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`shadowdiff up exited (${code}) before it was ready\n${out}\n${err}`));
    });
  }).catch(async (error: unknown) => {
    child.kill('SIGKILL');
    await exited;
    throw error;
  });
  // A moment before Ctrl-C: a SIGINT at the very instant up reports ready was seen to end it by
  // the signal's default action now and then, without its shutdown.
  await new Promise((r) => setTimeout(r, 1000));
  child.kill('SIGINT');
  const code = await exited;
  if (code !== 0) throw new Error(`shadowdiff up exited ${code} (signal ${child.signalCode}) on Ctrl-C\n${err}`);
  return ready;
}
