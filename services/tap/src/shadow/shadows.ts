import type { Capture } from '@shadowdiff/core';
import { createUpstream } from '../proxy-server.ts';
import type { Redactor } from '../redaction.ts';
import type { ShadowJob, ShadowSettings, ShadowSides } from './shadow-jobs.ts';
import { createShadowProcessor, type JobReport } from './shadow-processor.ts';

/** Where the inline tap's mirrored exchanges go once the client has its answer. */
export interface Shadows {
  /** Sends the job's copies; its report comes back through `onDone`. Never throws. */
  send(job: ShadowJob): void;
  /** Jobs sent and not yet reported. */
  readonly inFlight: number;
  /** Waits for the jobs in flight (at most `graceMs`), then stops. */
  close(graceMs: number): Promise<void>;
}

/** Where shadows report. */
export interface ShadowHandlers {
  onDone: (report: JobReport, exchangeId: string) => void;
  /** Jobs that will never be reported (their thread died). */
  onLost: (jobs: number) => void;
}

/** Where a tap's copies go, and how many connections each side may open. */
export interface ShadowTargets {
  candidateUrl: string;
  secondaryUrl?: string;
  /** Without a secondary: the primary, sent a share of the safe copies as controls. */
  control?: { primaryUrl: string; percentage: number };
  maxInFlightShadows: number;
}

/** Connection pools to the candidate and, when configured, the secondary. */
export function openShadowSides(targets: ShadowTargets): ShadowSides {
  return {
    candidate: createUpstream(targets.candidateUrl, targets.maxInFlightShadows),
    ...(targets.secondaryUrl ? { secondary: createUpstream(targets.secondaryUrl, targets.maxInFlightShadows) } : {}),
    ...(!targets.secondaryUrl && targets.control && targets.control.percentage > 0
      ? { control: { upstream: createUpstream(targets.control.primaryUrl, targets.maxInFlightShadows), share: targets.control.percentage / 100 } }
      : {}),
  };
}

/** Lets the copies in flight finish (at most `graceMs`), then closes the pools. */
export async function drainShadowSides(sides: ShadowSides, inFlight: () => number, graceMs: number): Promise<void> {
  const deadline = Date.now() + graceMs;
  while (inFlight() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  await Promise.all([sides.candidate.dispatcher.close(), sides.secondary?.dispatcher.close(), sides.control?.upstream.dispatcher.close()]);
}

/**
 * Shadows run on the calling thread, captures emitted to `emit`: for tests and embedding. The
 * tap service runs them on the shadow thread instead.
 */
export function startLocalShadows(options: { sides: ShadowSides; settings: ShadowSettings; redactor: Redactor; emit: (capture: Capture) => void }, handlers: ShadowHandlers): Shadows {
  const processJob = createShadowProcessor(options);
  let inFlight = 0;
  return {
    send(job) {
      inFlight += 1;
      void processJob(job).then((report) => {
        inFlight -= 1;
        handlers.onDone(report, job.exchangeId);
      });
    },
    get inFlight() {
      return inFlight;
    },
    close: (graceMs) => drainShadowSides(options.sides, () => inFlight, graceMs),
  };
}
