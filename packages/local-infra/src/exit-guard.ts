import type { ChildProcess } from 'node:child_process';

/** Servers still running, with the signal that shuts each down in order. */
const guarded = new Map<ChildProcess, NodeJS.Signals>();

function stopGuarded(): void {
  for (const [server, shutdownSignal] of guarded) {
    if (server.exitCode === null && server.signalCode === null) server.kill(shutdownSignal);
  }
}

/**
 * Servers this process started must not outlive it, even when it dies of an uncaught error:
 * on `exit` each still running one is sent its shutdown signal (Redis SIGTERM, Postgres SIGINT).
 * A SIGKILL of this process leaves them behind; the next start in the same state folder stops them.
 * Returns the function that releases the guard once the server is stopped.
 */
export function stopOnExit(child: ChildProcess, signal: NodeJS.Signals): () => void {
  if (!process.listeners('exit').includes(stopGuarded)) process.on('exit', stopGuarded);
  guarded.set(child, signal);
  return () => guarded.delete(child);
}
