/**
 * HAR 1.2 (what browsers and Playwright's `recordHar` export): `log.entries`, each a request and
 * its response, with bodies decoded (`content.text`, base64 when `content.encoding` says so).
 */
import type { Har, Entry, Header, PostData } from 'har-format';
import { RecordingError, type HeaderPairs, type RecordedExchange } from './recorded.ts';

/** Whether the text starts like a HAR document. */
export function looksLikeHar(head: string): boolean {
  return /^\s*\{\s*"log"\s*:/.test(head);
}

/** Header lines, without HTTP/2 pseudo-headers (`:authority`…), which are not headers on HTTP/1. */
const pairsOf = (headers: Header[] | undefined): HeaderPairs => (headers ?? []).filter((h) => !h.name.startsWith(':')).map((h) => [h.name, h.value]);

function requestBody(postData: PostData | undefined): Buffer {
  if (!postData) return Buffer.alloc(0);
  if (typeof postData.text === 'string') return Buffer.from(postData.text, (postData as { encoding?: string }).encoding === 'base64' ? 'base64' : 'utf8');
  // A form recorded as parameters only: sent again URL-encoded.
  const params = (postData as { params?: { name: string; value?: string }[] }).params ?? [];
  return Buffer.from(new URLSearchParams(params.map((p): [string, string] => [p.name, p.value ?? ''])).toString());
}

function exchangeOf(entry: Entry, n: number): RecordedExchange {
  const where = `entry ${n}`;
  const fail = (reason: string): never => {
    throw new RecordingError(`${where}: ${reason}`);
  };
  if (typeof entry !== 'object' || entry === null) fail('is not an object');
  const { request, response } = entry;
  if (!request || typeof request.method !== 'string' || !request.method) fail('request.method is missing');
  if (typeof request.url !== 'string') fail('request.url is missing');
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return fail(`request.url is not an absolute URL: ${JSON.stringify(request.url.slice(0, 120))}`);
  }
  const startedAtMs = Date.parse(entry.startedDateTime);
  if (!Number.isFinite(startedAtMs)) fail(`startedDateTime is not a date: ${JSON.stringify(entry.startedDateTime)}`);
  const exchange: RecordedExchange = {
    origin: `${where} (${request.method} ${url.pathname})`,
    startedAtMs,
    request: { method: request.method, url: `${url.pathname}${url.search}`, host: url.host, headers: pairsOf(request.headers), body: requestBody(request.postData) },
  };
  // A response the browser never got (status 0: aborted, blocked) is no recorded response; nor
  // is one whose body the browser did not keep (no text where the size says there was one, as
  // when a page moved on before its body was read): an empty body there would be a false one.
  const content = response?.content;
  const hasText = typeof content?.text === 'string';
  if (response && typeof response.status === 'number' && response.status > 0 && (hasText || content?.size === 0)) {
    exchange.response = {
      status: response.status,
      headers: pairsOf(response.headers),
      body: Buffer.from(hasText ? content!.text! : '', content?.encoding === 'base64' ? 'base64' : 'utf8'),
      decoded: true,
      ...(typeof entry.time === 'number' && entry.time >= 0 ? { latencyMs: entry.time } : {}),
    };
  } else if (response && content && !hasText && (content as { _file?: string })._file) {
    fail(`the response body is in a separate file (${(content as { _file?: string })._file}); record the HAR with its content embedded`);
  }
  return exchange;
}

export function readHar(text: string): RecordedExchange[] {
  let document: Har;
  try {
    document = JSON.parse(text) as Har;
  } catch (error) {
    throw new RecordingError(`not valid JSON (${(error as Error).message}); a HAR file cut short?`);
  }
  const entries = document?.log?.entries;
  if (!Array.isArray(entries)) throw new RecordingError('not a HAR document: log.entries is missing');
  return entries.map((entry, i) => exchangeOf(entry, i + 1)).sort((a, b) => a.startedAtMs - b.startedAtMs);
}
