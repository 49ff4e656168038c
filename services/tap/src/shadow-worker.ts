/**
 * The shadow thread: it sends the copies and waits for the shadow sides, so that however many
 * copies are in flight (a slow candidate keeps hundreds waiting), their sockets, timers and
 * buffers live in this thread's heap, and its garbage collections never pause the thread that
 * serves clients. Jobs arrive in batches; results go back in batches.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createUpstream } from './proxy-server';
import { runShadowJob, type ShadowJob, type ShadowResult, type ShadowSettings } from './shadow-jobs';

/** What the main thread hands the shadow thread at start. */
export interface ShadowWorkerData extends ShadowSettings {
  candidateUrl: string;
  secondaryUrl?: string;
  maxInFlightShadows: number;
}

const data = workerData as ShadowWorkerData;
const sides = {
  candidate: createUpstream(data.candidateUrl, data.maxInFlightShadows),
  ...(data.secondaryUrl ? { secondary: createUpstream(data.secondaryUrl, data.maxInFlightShadows) } : {}),
};
let done: ShadowResult[] = [];
let scheduled = false;

const flush = (): void => {
  scheduled = false;
  const batch = done;
  done = [];
  parentPort!.postMessage({ type: 'results', results: batch });
};

parentPort!.on('message', (message: { type: 'jobs'; jobs: ShadowJob[] } | { type: 'close' }) => {
  if (message.type === 'close') {
    void Promise.all([sides.candidate.dispatcher.close(), sides.secondary?.dispatcher.close()]).then(() => parentPort!.postMessage({ type: 'closed' }));
    return;
  }
  for (const job of message.jobs) {
    void runShadowJob(job, sides, data).then((result) => {
      done.push(result);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
  }
});
parentPort!.postMessage({ type: 'ready' });
