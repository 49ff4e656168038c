import type { ChildProcess } from 'node:child_process';

const guarded = new Map<ChildProcess, NodeJS.Signals>();
let installed = false;

/**
 * Servers this process started must not outlive it, even when it dies of an uncaught error:
 * on `exit` each still running one is sent its shutdown signal (Redis SIGTERM, Postgres SIGINT).
 * A SIGKILL of this process leaves them behind; the next start in the same state folder stops them.
 */
export function stopOnExit(child: ChildProcess, signal: NodeJS.Signals): () => void {
  if (!installed) {
    installed = true;
    process.on('exit', () => {
      for (const [process_, sig] of guarded) {
        if (process_.exitCode === null && process_.signalCode === null) process_.kill(sig);
      }
    });
  }
  guarded.set(child, signal);
  return () => guarded.delete(child);
}
