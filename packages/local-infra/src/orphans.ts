import { existsSync, readFileSync, rmSync } from 'node:fs';
import { commandLineOf, pidExists } from './process-info.ts';

/**
 * A server left running by an earlier shadowdiff that was killed outright (SIGKILL) still holds
 * its data folder. When `pidFile` names a live process whose command line contains `marker`, it
 * is stopped with `signal` and waited for; a pid file of a dead process is removed.
 */
export async function stopOrphan(pidFile: string, marker: string, signal: NodeJS.Signals, timeoutMs = 15_000): Promise<boolean> {
  if (!existsSync(pidFile)) return false;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!(pid > 0) || !pidExists(pid) || !commandLineOf(pid)?.includes(marker)) {
    rmSync(pidFile, { force: true });
    return false;
  }
  process.kill(pid, signal);
  const deadline = Date.now() + timeoutMs;
  while (pidExists(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (pidExists(pid)) process.kill(pid, 'SIGKILL');
  return true;
}
