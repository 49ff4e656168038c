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

/** A header's first value, by lower-case `name`, as `findHeader` finds it. */
export function firstHeaderValue(headers: HeaderRecord, name: string): string | undefined {
  const value = findHeader(headers, name);
  return typeof value === 'string' ? value : value?.[0];
}
