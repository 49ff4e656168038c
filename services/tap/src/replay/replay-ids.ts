import { createHash } from 'node:crypto';

/**
 * The capture id of the `index`-th exchange of a replay: a UUIDv7 whose time is the replay's
 * start plus the index (so a run's exchanges sort in recording order) and whose other bits come
 * from the recording and the index. A resumed replay gives an exchange the id it had, so one
 * sent twice is still stored once.
 */
export function replayCaptureId(replayStartedAtMs: number, recordingId: string, index: number): string {
  const time = (replayStartedAtMs + index).toString(16).padStart(12, '0');
  const hash = createHash('sha256').update(`${recordingId}:${index}`).digest('hex');
  const variant = '89ab'[Number.parseInt(hash[3]!, 16) % 4]!;
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${hash.slice(0, 3)}-${variant}${hash.slice(4, 7)}-${hash.slice(7, 19)}`;
}
