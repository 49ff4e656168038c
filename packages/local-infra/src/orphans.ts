import { existsSync, readFileSync, rmSync } from 'node:fs';

function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\u0000', ' ');
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A server left running by an earlier shadowdiff that was killed outright (SIGKILL) still holds
 * its data folder. When `pidFile` names a live process whose command line contains `marker`, it
 * is stopped with `signal` and waited for; a pid file of a dead process is removed.
 */
export async function stopOrphan(pidFile: string, marker: string, signal: NodeJS.Signals, timeoutMs = 15_000): Promise<boolean> {
  if (!existsSync(pidFile)) return false;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!(pid > 0) || !alive(pid) || !commandLineOf(pid)?.includes(marker)) {
    rmSync(pidFile, { force: true });
    return false;
  }
  process.kill(pid, signal);
  const deadline = Date.now() + timeoutMs;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  return true;
}
