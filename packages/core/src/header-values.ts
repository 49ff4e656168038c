/** Headers as Node parses them and captures keep them: lower-case names, repeated ones as arrays. */
export type HeaderRecord = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * A header's value (an array when the header was repeated), by lower-case `name`. Captured and
 * Node-parsed headers have lower-case names already; other records are searched ignoring case.
 */
export function findHeader(headers: HeaderRecord, name: string): string | readonly string[] | undefined {
  const exact = headers[name];
  if (exact !== undefined) return exact;
  for (const key in headers) {
    if (key.length === name.length && key.toLowerCase() === name) return headers[key];
  }
  return undefined;
}

/** Headers as a raw HTTP message carries them: `[name, value]` pairs in order, names as sent. */
export type HeaderPairList = readonly (readonly [name: string, value: string])[];

/**
 * A header's first value, by lower-case `name`: in a record as `findHeader` finds it, or in
 * pairs (a recorded HTTP message's head) by the first pair of that name in any case.
 */
export function firstHeaderValue(headers: HeaderRecord | HeaderPairList, name: string): string | undefined {
  if (isPairList(headers)) return headers.find(([n]) => n.length === name.length && n.toLowerCase() === name)?.[1];
  const value = findHeader(headers, name);
  return typeof value === 'string' ? value : value?.[0];
}

const isPairList = (headers: HeaderRecord | HeaderPairList): headers is HeaderPairList => Array.isArray(headers);
