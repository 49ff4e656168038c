/** A CPU hog for the benchmarks' busy-machine scenarios: one spinning process per core. */
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';

/** Keeps `cores` cores busy (one spinning process each, at the default priority) until stopped. */
export function startCpuHog(cores = cpus().length): { stop(): void } {
  const children = Array.from({ length: cores }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  const stop = (): void => children.forEach((child) => child.kill('SIGKILL'));
  // A bench that dies, or is stopped, must not leave the cores spinning.
  process.once('exit', stop);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(signal === 'SIGINT' ? 130 : 143));
  return { stop };
}
