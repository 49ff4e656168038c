/** Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection and are never forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** What the tap needs to know about a request's headers, read in one pass over the raw list. */
export interface RequestHeads {
  /** End-to-end headers to forward, name case and order kept; `expect` is answered by the tap. */
  forward: string[];
  host: string | undefined;
  requestId: string | undefined;
  /** True when a body follows (a non-zero Content-Length, or any Transfer-Encoding). */
  hasBody: boolean;
}

/**
 * Splits a request's raw header list. `expect` is dropped: Node has already answered
 * `100-continue`, and the upstream client refuses to send it on.
 */
export function scanRequestHeaders(raw: readonly string[]): RequestHeads {
  let forward: string[] = [];
  let host: string | undefined;
  let requestId: string | undefined;
  let hasBody = false;
  let connection: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    const l = name.toLowerCase();
    if (l === 'host') host ??= value;
    else if (l === 'x-request-id') requestId ??= value;
    else if (l === 'content-length') hasBody ||= value !== '0';
    else if (l === 'transfer-encoding') hasBody = true;
    else if (l === 'connection') connection = connection === undefined ? value : `${connection}, ${value}`;
    if (HOP_BY_HOP.has(l) || l === 'expect') continue;
    forward.push(name, value);
  }
  if (connectionTokens(connection)) forward = endToEndRawHeaders(forward, connection);
  return { forward, host, requestId, hasBody };
}

function connectionTokens(value: string | undefined): Set<string> | undefined {
  if (!value) return undefined;
  const tokens = value
    .toLowerCase()
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '' && t !== 'close' && t !== 'keep-alive');
  return tokens.length > 0 ? new Set(tokens) : undefined;
}

/**
 * End-to-end headers from Node's raw `[name, value, name, value…]` list, name case and repeats
 * kept, hop-by-hop ones (and any the Connection header names) removed.
 */
export function endToEndRawHeaders(raw: readonly string[], connection?: string): string[] {
  const extra = connectionTokens(connection);
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || extra?.has(lower)) continue;
    out.push(name, raw[i + 1]!);
  }
  return out;
}

/** The same list from undici's Buffer pairs, as latin1 strings (HTTP header bytes). */
export function rawHeaderStrings(raw: readonly Buffer[]): string[] {
  const out = new Array<string>(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw[i]!.toString('latin1');
  return out;
}

/** A raw list as a record keyed by lower-case name; repeated names become arrays. */
export function headersRecord(raw: readonly string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const value = raw[i + 1]!;
    const previous = out[name];
    if (previous === undefined) out[name] = value;
    else if (Array.isArray(previous)) previous.push(value);
    else out[name] = [previous, value];
  }
  return out;
}
