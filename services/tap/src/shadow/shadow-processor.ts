import type { Capture, CapturedBody, CapturedResponse, Redactor } from '@shadowdiff/core';
import { base64Of } from '../body-recorder.ts';
import { capturedResponse } from '../forward.ts';
import { headersRecord } from '../headers.ts';
import { runShadowJob, type ShadowJob, type ShadowResult, type ShadowSettings, type ShadowSides } from './shadow-jobs.ts';

/** How one side answered a copy, for the tap's metrics. */
export interface SideObservation {
  outcome: CapturedResponse['outcome'];
  latencyMs: number;
}

/** What became of one job: how each side answered, and whether its capture was emitted. */
export interface JobReport {
  candidate: SideObservation;
  secondary?: SideObservation;
  /** Set when the capture was dropped because it could not be redacted. */
  redactionError?: string;
}

/** A whole body (never cut) as a capture holds it. */
function capturedBody(bytes: Uint8Array | null): CapturedBody {
  return { base64: base64Of(bytes), size: bytes?.length ?? 0, truncated: false };
}

/** The capture of a job whose copies have been answered. */
export function captureOf(job: ShadowJob, result: ShadowResult, run: string): Capture {
  const capture: Capture = {
    id: job.exchangeId,
    run,
    capturedAt: new Date(job.capturedAtMs).toISOString(),
    source: 'inline',
    requestId: job.requestId,
    request: { method: job.method, url: job.url, headers: headersRecord(job.forward), body: capturedBody(job.requestBody) },
    primary: capturedResponse(job.primary),
    candidate: result.candidate,
  };
  if (result.secondary) capture.secondary = result.secondary;
  if (result.control) capture.secondaryKind = 'control';
  return capture;
}

const observe = (response: CapturedResponse): SideObservation => ({ outcome: response.outcome, latencyMs: response.latencyMs });

/**
 * Everything that happens to a mirrored exchange once the client has its answer: the copies are
 * sent, the capture assembled and redacted, then emitted. A capture that cannot be redacted is
 * never emitted. Never rejects.
 */
export function createShadowProcessor(options: { sides: ShadowSides; settings: ShadowSettings; redactor: Redactor; emit: (capture: Capture) => void }) {
  return async (job: ShadowJob): Promise<JobReport> => {
    const result = await runShadowJob(job, options.sides, options.settings);
    const report: JobReport = { candidate: observe(result.candidate) };
    if (result.secondary) report.secondary = observe(result.secondary);
    const capture = captureOf(job, result, options.settings.run);
    try {
      options.redactor.capture(capture);
    } catch (error) {
      report.redactionError = (error as Error).message;
      return report;
    }
    options.emit(capture);
    return report;
  };
}
