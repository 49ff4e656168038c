/**
 * Sampling decisions. A keyed decision hashes the key's value into one of a million buckets, so
 * it depends on nothing but the value and the percentage: every tap instance, and every restart,
 * agrees on it, and a user's requests are mirrored together or not at all.
 */

const BUCKETS = 1_000_000;

/** FNV-1a over UTF-16 code units, then murmur3's finaliser so close keys land far apart. */
export function hashKey(value: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    h ^= value.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** True when the key's bucket falls within `percentage` (0–100). */
export function sampledByKey(value: string, percentage: number): boolean {
  return hashKey(value) % BUCKETS < percentage * (BUCKETS / 100);
}

/** Where the sampling key is read from: a request header or a query parameter. */
export interface SampleKey {
  from: 'header' | 'query';
  /** Lower-case for headers; exact for query parameters. */
  name: string;
}

/** Parses `header:x-user-id` or `query:user`. */
export function parseSampleKey(spec: string): SampleKey {
  const colon = spec.indexOf(':');
  const from = spec.slice(0, colon);
  if (colon < 1 || (from !== 'header' && from !== 'query')) throw new Error(`not a sample key: ${spec}`);
  const name = spec.slice(colon + 1);
  return { from, name: from === 'header' ? name.toLowerCase() : name };
}

/** The value of query parameter `name` in a request target, decoded; undefined when absent. */
export function queryParam(url: string, name: string): string | undefined {
  const q = url.indexOf('?');
  if (q === -1) return undefined;
  const value = new URLSearchParams(url.slice(q + 1)).get(name);
  return value === null ? undefined : value;
}
