import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * The module at `path` (relative to the caller, without extension), with the caller's own
 * extension: `.ts` when the sources run (tsx, vitest), `.js` once compiled. `callerUrl` is the
 * caller's `import.meta.url`.
 */
export function siblingModule(callerUrl: string, path: string): URL {
  return new URL(`${path}${extname(new URL(callerUrl).pathname)}`, callerUrl);
}

/**
 * Starts a worker thread on the module at `entry`. A TypeScript entry first enters source mode
 * (tsx, and workspace packages resolved to their src/), since threads do not inherit the main
 * thread's loader hooks; a compiled one runs as it is.
 */
export function startThread(entry: URL, options: WorkerOptions): Worker {
  if (!/\.[cm]?ts$/.test(entry.pathname)) return new Worker(entry, options);
  const sourceMode = pathToFileURL(createRequire(import.meta.url).resolve('@shadowdiff/core/source-mode')).href;
  const code = `import(${JSON.stringify(sourceMode)}).then(() => import(${JSON.stringify(entry.href)}))`;
  return new Worker(code, { ...options, eval: true });
}
