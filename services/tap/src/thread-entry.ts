import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread on a module beside this one (`name` without extension). From
 * TypeScript sources the thread first enters source mode (tsx, and workspace packages resolved to
 * their src/), since threads do not inherit the main thread's loader hooks.
 */
export function startThread(name: string, options: WorkerOptions): Worker {
  const entry = new URL(`./${name}${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, options);
  const sourceMode = pathToFileURL(createRequire(import.meta.url).resolve('@shadowdiff/core/source-mode')).href;
  const code = `import(${JSON.stringify(sourceMode)}).then(() => import(${JSON.stringify(entry.href)}))`;
  return new Worker(code, { ...options, eval: true });
}
