import { createUpstream } from '../proxy-server.ts';
import type { ShadowJob, ShadowSides } from './shadow-jobs.ts';
import type { JobReport } from './shadow-processor.ts';

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
