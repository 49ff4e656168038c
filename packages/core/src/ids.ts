import { hash as oneShotHash, randomBytes } from 'node:crypto';

/**
 * A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds then randomness. Time-ordered ids keep
 * Postgres primary-key inserts local in the index and make ids sort by capture time.
 */
export function newCaptureId(now: number = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A UUIDv7-shaped capture id derived from `key` (say, a run and a client's key for an exchange):
 * its time is `timeMs`, its other bits a hash of the key. Sending the same exchange again gives
 * it the same id, so storage, idempotent by capture id, keeps it once.
 */
export function derivedCaptureId(timeMs: number, key: string): string {
  const time = Math.max(0, Math.min(Math.trunc(timeMs), 0xffff_ffff_ffff)).toString(16).padStart(12, '0');
  // The one-shot hash: a replay derives an id per request, and a Hash object each took twice as long.
  const hash = oneShotHash('sha256', key, 'hex');
  const variant = '89ab'[Number.parseInt(hash[3]!, 16) % 4]!;
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${hash.slice(0, 3)}-${variant}${hash.slice(4, 7)}-${hash.slice(7, 19)}`;
}

const DAY_MS = 86_400_000;

/**
 * A capture id from a client's key and the exchange's capture time: the same key captured on the
 * same UTC day always gives the same id. The time bits hold that day (what the store partitions
 * and prunes by) and, within it, a time of day taken from the key's hash rather than the capture
 * time, so a retried upload that re-stamps its capture time on the same day is still stored once.
 * Such ids sort by day, not by time within the day.
 */
export function keyedCaptureId(key: string, capturedAt: string | number): string {
  const atMs = typeof capturedAt === 'number' ? capturedAt : Date.parse(capturedAt);
  if (!Number.isFinite(atMs)) throw new TypeError(`a keyed capture id needs a capture time, not ${String(capturedAt)}`);
  const dayStart = Math.floor(atMs / DAY_MS) * DAY_MS;
  const offset = Number.parseInt(oneShotHash('sha256', `time:${key}`, 'hex').slice(0, 11), 16) % DAY_MS;
  return derivedCaptureId(dayStart + offset, key);
}
