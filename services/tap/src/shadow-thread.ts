import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from '@shadowdiff/core';
import type { Upstream } from './forward';
import { createUpstream } from './proxy-server';
import { runShadowJob, type ShadowJob, type ShadowResult } from './shadow-jobs';
import type { ShadowWorkerData } from './shadow-worker';

/** Sends jobs to the shadow thread and hands their results back. */
export interface ShadowThread {
  /** Queues a job; its result comes back through `onResult`. Never throws. */
  send(job: ShadowJob): void;
  /** Jobs sent and not yet answered. */
  readonly inFlight: number;
  /** Waits for the jobs in flight (at most `graceMs`), then stops the thread. */
  close(graceMs: number): Promise<void>;
}

/**
 * The worker's entry, started through tsx when running from TypeScript sources (workers do not
 * inherit the main thread's loader hooks).
 */
function workerSource(): { code: string; eval: true } | { file: URL; eval: false } {
  const entry = new URL(`./shadow-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
  if (!entry.pathname.endsWith('.ts')) return { file: entry, eval: false };
  // tsx's ESM entry sits beside the CommonJS one that require.resolve finds.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`;
  return { code, eval: true };
}

/**
 * Starts the shadow thread. A thread that dies is replaced on the next job; the jobs it held are
 * reported through `onLost` (their captures are dropped and counted), never retried. Should the
 * thread fail before it was ever ready (it cannot load), copies are sent from this thread instead.
 */
export function startShadowThread(
  data: ShadowWorkerData,
  handlers: { onResult: (result: ShadowResult) => void; onLost: (jobs: number) => void; logger: Logger; inProcess?: boolean },
): ShadowThread {
  let worker: Worker | undefined;
  let inFlight = 0;
  let queued: ShadowJob[] = [];
  let scheduled = false;
  let closing: ((value: void) => void) | undefined;
  let everReady = false;
  let local: { candidate: Upstream; secondary?: Upstream } | undefined;

  const goLocal = (why?: string): void => {
    if (local) return;
    if (why) handlers.logger.warn({ err: why }, 'shadow thread unavailable: copies are sent from the main thread');
    local = {
      candidate: createUpstream(data.candidateUrl, data.maxInFlightShadows),
      ...(data.secondaryUrl ? { secondary: createUpstream(data.secondaryUrl, data.maxInFlightShadows) } : {}),
    };
  };

  const runLocally = (sides: { candidate: Upstream; secondary?: Upstream }, jobs: ShadowJob[]): void => {
    for (const job of jobs) {
      void runShadowJob(job, sides, data).then((result) => {
        inFlight -= 1;
        handlers.onResult(result);
      });
    }
  };

  const spawn = (): Worker => {
    const source = workerSource();
    const w = source.eval ? new Worker(source.code, { eval: true, workerData: data }) : new Worker(source.file, { workerData: data });
    w.on('message', (message: { type: string; results?: ShadowResult[] }) => {
      if (message.type === 'ready') everReady = true;
      else if (message.type === 'results') {
        for (const result of message.results!) {
          inFlight -= 1;
          handlers.onResult(result);
        }
      } else if (message.type === 'closed') closing?.();
    });
    w.on('error', (error) => handlers.logger.error({ err: error.message }, 'shadow thread failed'));
    w.on('exit', () => {
      if (worker !== w) return;
      worker = undefined;
      if (!everReady) goLocal('it exited before it was ready');
      if (inFlight > 0) handlers.onLost(inFlight);
      inFlight = 0;
      closing?.();
    });
    // The thread must not keep the process alive on its own.
    w.unref();
    return w;
  };

  const flush = (): void => {
    scheduled = false;
    const jobs = queued;
    queued = [];
    if (!local && !worker) {
      try {
        worker = spawn();
      } catch (error) {
        goLocal((error as Error).message);
      }
    }
    if (local) runLocally(local, jobs);
    else worker!.postMessage({ type: 'jobs', jobs });
  };

  if (handlers.inProcess) goLocal();
  else {
    try {
      worker = spawn();
    } catch (error) {
      goLocal((error as Error).message);
    }
  }
  return {
    send(job) {
      inFlight += 1;
      queued.push(job);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    get inFlight() {
      return inFlight;
    },
    async close(graceMs) {
      const deadline = Date.now() + graceMs;
      while ((inFlight > 0 || queued.length > 0) && Date.now() < deadline && (worker || local)) await new Promise((r) => setTimeout(r, 10));
      await Promise.all([local?.candidate.dispatcher.close(), local?.secondary?.dispatcher.close()]);
      const w = worker;
      if (!w) return;
      await Promise.race([new Promise<void>((resolve) => { closing = resolve; w.postMessage({ type: 'close' }); }), new Promise((r) => setTimeout(r, 2000))]);
      worker = undefined;
      await w.terminate();
    },
  };
}
