import { createHmac } from 'node:crypto';
import { contentCodings, decodeContent, encodeContent } from '../body/content-encoding.ts';
import { isFormContentType, isJsonContentType } from '../body/media-type.ts';
import type { CapturedBody, CapturedRequest, CapturedResponse, Capture } from '../capture.ts';
import { findHeader, firstHeaderValue } from '../header-values.ts';
import { compileJsonPath, replaceAtPath, type JsonPath } from './json-paths.ts';

/** Headers always replaced by a keyed hash in captures, whatever else is configured. */
export const DEFAULT_REDACTED_HEADERS: readonly string[] = Object.freeze([
  'authorization',
  'cookie',
  'set-cookie',
  'proxy-authorization',
  'x-api-key',
]);

/** What the redactor replaces. */
export interface RedactorOptions {
  /** The HMAC key: the same key makes the same secret hash the same on every tap. */
  key: Buffer;
  /** Header names (any case) replaced on top of the built-in ones (authorization, cookie, set-cookie, …). */
  headers: readonly string[];
  /** Query parameter names (any case) whose values are replaced in the request URL. */
  queryParams: readonly string[];
  /** JSON paths redacted in JSON and form bodies. */
  bodyPaths: readonly string[];
  /** Bound on a decompressed body; larger ones are withheld rather than inflated. */
  maxDecodedBytes: number;
}

/** Replaces secrets in captures (headers, query parameters, body fields), in place, before they are queued. */
export interface Redactor {
  /** `redacted:<32 hex>`: HMAC-SHA256 of the value under the key, cut to 128 bits. */
  hash(value: string): string;
  request(request: CapturedRequest): void;
  response(response: CapturedResponse): void;
  /** The request and every response of a capture. */
  capture(capture: Capture): void;
}

type Headers = Record<string, string | string[]>;

/** A query component as a form decodes it (`+` is a space); malformed escapes stay as they are. */
function decodeComponent(component: string): string {
  try {
    return decodeURIComponent(component.replace(/\+/g, ' '));
  } catch {
    return component;
  }
}

/**
 * A redactor for captures: header values and JSON/form body fields become `redacted:<hash>`.
 * A body it cannot search safely (it does not decode or parse, and may name a secret field) is
 * withheld rather than queued as it is.
 */
export function createRedactor(options: RedactorOptions): Redactor {
  const names = new Set([...DEFAULT_REDACTED_HEADERS, ...options.headers].map((h) => h.toLowerCase()));
  const paths: JsonPath[] = options.bodyPaths.map(compileJsonPath);
  const keyNames = [...new Set(paths.flatMap((p) => p.names))];
  // Form bodies are flat: only paths of one key (`$.password`, `$..password`) apply to them.
  const formKeys = new Set(paths.flatMap((p) => (p.steps.length === 1 && p.steps[0]!.step.kind === 'key' ? [p.steps[0]!.step.name] : [])));

  const hash = (value: string): string => `redacted:${createHmac('sha256', options.key).update(value).digest('hex').slice(0, 32)}`;

  // Cookie names and auth schemes are kept so a difference in them still shows; values are not.
  const headerValue = (name: string, value: string): string => {
    if (name === 'cookie') {
      return value
        .split(';')
        .map((pair) => {
          const eq = pair.indexOf('=');
          return eq === -1 ? hash(pair.trim()) : `${pair.slice(0, eq).trim()}=${hash(pair.slice(eq + 1).trim())}`;
        })
        .join('; ');
    }
    if (name === 'set-cookie') {
      const semi = value.indexOf(';');
      const pair = semi === -1 ? value : value.slice(0, semi);
      const eq = pair.indexOf('=');
      const redacted = eq === -1 ? hash(pair.trim()) : `${pair.slice(0, eq).trim()}=${hash(pair.slice(eq + 1).trim())}`;
      return semi === -1 ? redacted : redacted + value.slice(semi);
    }
    if (name === 'authorization' || name === 'proxy-authorization') {
      const m = /^([A-Za-z][\w!#$%&'*+.^`|~-]*) +(\S.*)$/.exec(value);
      if (m) return `${m[1]} ${hash(m[2]!)}`;
    }
    return hash(value);
  };

  const headers = (record: Headers): void => {
    for (const name of Object.keys(record)) {
      // Captured names are lower case; ingested ones may not be (`Authorization`).
      const lower = name.toLowerCase();
      if (!names.has(lower)) continue;
      const v = record[name]!;
      record[name] = Array.isArray(v) ? v.map((x) => headerValue(lower, x)) : headerValue(lower, v);
    }
  };

  const withhold = (body: CapturedBody, why: string): void => {
    body.base64 = '';
    body.truncated = true;
    body.withheld = why;
  };

  const keyless = paths.some((p) => p.names.length === 0);
  // A cheap pre-check: a body that names none of the keys holds none of the fields. Escapes
  // (`\u0070assword`, `pass%77ord`) could hide a name from it, so such bodies are always parsed.
  const mayHoldSecret = (text: string, isForm: boolean): boolean =>
    keyless || (isForm ? /[%+]/.test(text) : text.includes('\\u')) || keyNames.some((k) => text.includes(k));

  const body = (record: Headers, captured: CapturedBody): void => {
    if (paths.length === 0 || captured.base64 === '') return;
    const type = firstHeaderValue(record, 'content-type') ?? '';
    const isJson = isJsonContentType(type);
    const isForm = !isJson && isFormContentType(type);
    if (!isJson && !isForm) return;
    const encoding = findHeader(record, 'content-encoding');
    const raw = Buffer.from(captured.base64, 'base64');
    // A truncated compressed body cannot be decoded, only its beginning could be guessed at.
    const decoded = captured.truncated && contentCodings(encoding).length > 0 ? undefined : decodeContent(raw, encoding, options.maxDecodedBytes);
    if (!decoded?.ok) {
      withhold(captured, 'body could not be decoded to redact secrets');
      return;
    }
    const text = decoded.bytes.toString('utf8');
    if (!mayHoldSecret(text, isForm)) return;
    let changed: string | undefined;
    if (isForm) {
      const form = new URLSearchParams(text);
      let any = false;
      for (const [k, v] of [...form]) {
        if (formKeys.has(k)) {
          form.set(k, hash(JSON.stringify(v)));
          any = true;
        }
      }
      if (any) changed = form.toString();
    } else {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        withhold(captured, captured.truncated ? 'truncated JSON body could not be redacted' : 'invalid JSON body could not be redacted');
        return;
      }
      let replaced = 0;
      for (const path of paths) replaced += replaceAtPath(parsed, path, (value) => hash(JSON.stringify(value)));
      if (replaced > 0) changed = JSON.stringify(parsed);
    }
    if (changed === undefined) return;
    const encoded = encodeContent(Buffer.from(changed, 'utf8'), encoding);
    if (encoded === undefined) withhold(captured, 'body could not be re-encoded after redaction');
    else captured.base64 = encoded.toString('base64');
  };

  const queryNames = new Set(options.queryParams.map((q) => q.toLowerCase()));
  // Names and order stay as they were, so a difference in them still shows; values do not.
  const query = (url: string): string => {
    const mark = url.indexOf('?');
    if (mark === -1 || queryNames.size === 0) return url;
    const end = url.indexOf('#', mark);
    const search = url.slice(mark + 1, end === -1 ? undefined : end);
    const pairs = search.split('&').map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq === -1 ? pair : pair.slice(0, eq);
      if (!queryNames.has(decodeComponent(rawName).toLowerCase())) return pair;
      return `${rawName}=${hash(decodeComponent(eq === -1 ? '' : pair.slice(eq + 1)))}`;
    });
    return `${url.slice(0, mark)}?${pairs.join('&')}`;
  };

  const redactor: Redactor = {
    hash,
    request(request) {
      request.url = query(request.url);
      headers(request.headers);
      body(request.headers, request.body);
    },
    response(response) {
      // Headers first would hide nothing the body step reads: it only needs content-type/-encoding.
      body(response.headers, response.body);
      headers(response.headers);
    },
    capture(capture) {
      redactor.request(capture.request);
      redactor.response(capture.primary);
      redactor.response(capture.candidate);
      if (capture.secondary) redactor.response(capture.secondary);
    },
  };
  return redactor;
}
