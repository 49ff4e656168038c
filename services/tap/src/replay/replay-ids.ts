import { derivedCaptureId } from '@shadowdiff/core';

/**
 * The capture id of the `index`-th exchange of a replay: a UUIDv7 whose time is the replay's
 * start plus the index (so a run's exchanges sort in recording order) and whose other bits come
 * from the recording and the index. A resumed replay gives an exchange the id it had, so one
 * sent twice is still stored once.
 */
export function replayCaptureId(replayStartedAtMs: number, recordingId: string, index: number): string {
  return derivedCaptureId(replayStartedAtMs + index, `${recordingId}:${index}`);
}
