/**
 * A raw HTTP/1.x message as a traffic recorder keeps it: the start line, the header lines and
 * the body as it went over the wire (by Content-Length, chunked, or up to the end).
 */
import { firstHeaderValue } from '@shadowdiff/core';
import type { HeaderPairs } from './recorded.ts';

export interface RawRequest {
  method: string;
  url: string;
  headers: HeaderPairs;
  body: Buffer;
  /** Bytes after the message's end, which belong to no message. */
  leftover: Buffer;
}

export interface RawResponse {
  status: number;
  headers: HeaderPairs;
  body: Buffer;
  leftover: Buffer;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/** Splits the head (start line and headers) from the body; tolerates bare LF line ends. */
function splitHead(message: Buffer): { lines: string[]; rest: Buffer } {
  // Whichever blank line comes first ends the head: a head with bare LF line ends may be followed
  // by a body that holds CRLF pairs.
  const crlf = message.indexOf(HEADER_END);
  const lf = message.indexOf('\n\n');
  const [end, skip] = lf >= 0 && (crlf < 0 || lf < crlf) ? [lf, 2] : [crlf, 4];
  if (end < 0) throw new Error('the header section does not end (no blank line)');
  const lines = message.subarray(0, end).toString('latin1').split(/\r?\n/);
  return { lines, rest: message.subarray(end + skip) };
}

function parseHeaders(lines: string[]): HeaderPairs {
  const pairs: HeaderPairs = [];
  for (const line of lines) {
    // A line that starts with a space or a tab continues the previous header (obsolete folding).
    if (/^[ \t]/.test(line) && pairs.length > 0) {
      pairs[pairs.length - 1]![1] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`a header line has no name: ${JSON.stringify(line.slice(0, 80))}`);
    pairs.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return pairs;
}

/** Decodes a chunked body: size lines in hex, each chunk, then a zero-size chunk and trailers. */
function unchunk(raw: Buffer): { body: Buffer; leftover: Buffer } {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    // Size lines end in CRLF, or a bare LF in recordings that lost the CR.
    const newline = raw.indexOf('\n', at);
    if (newline < 0) throw new Error('a chunked body ends in the middle of a chunk size');
    const lineEnd = raw[newline - 1] === 0x0d ? newline - 1 : newline;
    const size = Number.parseInt(raw.subarray(at, lineEnd).toString('latin1').split(';')[0]!.trim(), 16);
    if (!Number.isFinite(size) || size < 0) throw new Error('a chunked body has a chunk size that is not hexadecimal');
    if (size === 0) {
      // Trailer lines, if any, end with an empty line.
      const end = raw.indexOf('\r\n\r\n', lineEnd);
      return { body: Buffer.concat(parts), leftover: end < 0 ? Buffer.alloc(0) : raw.subarray(end + 4) };
    }
    const start = newline + 1;
    if (start + size > raw.length) throw new Error(`a chunked body is cut short (a chunk of ${size} bytes has ${raw.length - start})`);
    parts.push(raw.subarray(start, start + size));
    at = start + size + (raw[start + size] === 0x0d ? 2 : 1);
  }
}

/**
 * The body and what follows it. Without a length or chunking, a request has no body (HTTP/1.1)
 * and a response's body runs to the end of what was recorded.
 */
function bodyOf(headers: HeaderPairs, rest: Buffer, kind: 'request' | 'response'): { body: Buffer; leftover: Buffer } {
  if (/\bchunked\b/i.test(firstHeaderValue(headers, 'transfer-encoding') ?? '')) return unchunk(rest);
  const length = firstHeaderValue(headers, 'content-length');
  if (length === undefined) return kind === 'request' ? { body: Buffer.alloc(0), leftover: rest } : { body: rest, leftover: Buffer.alloc(0) };
  const n = Number(length);
  if (!Number.isInteger(n) || n < 0) throw new Error(`content-length is not a byte count: ${JSON.stringify(length)}`);
  if (rest.length < n) throw new Error(`the body is cut short: content-length says ${n} bytes, ${rest.length} were recorded`);
  return { body: rest.subarray(0, n), leftover: rest.subarray(n) };
}

export function parseRawRequest(message: Buffer): RawRequest {
  const { lines, rest } = splitHead(message);
  const match = /^([A-Z][A-Z0-9_-]*) (\S+) HTTP\/\d(?:\.\d)?$/.exec(lines[0] ?? '');
  if (!match) throw new Error(`not an HTTP request line: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
  const headers = parseHeaders(lines.slice(1));
  return { method: match[1]!, url: match[2]!, headers, ...bodyOf(headers, rest, 'request') };
}

/**
 * A response as recorded: interim 1xx responses (100 Continue) are passed over; a response to
 * HEAD, and a 204 or 304, has no body whatever its length headers say.
 */
export function parseRawResponse(message: Buffer, requestMethod = 'GET'): RawResponse {
  const { lines, rest } = splitHead(message);
  const match = /^HTTP\/\d(?:\.\d)? (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
  if (!match) throw new Error(`not an HTTP status line: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
  const status = Number(match[1]);
  if (status >= 100 && status < 200 && status !== 101 && rest.length > 0) return parseRawResponse(rest, requestMethod);
  const headers = parseHeaders(lines.slice(1));
  if (requestMethod.toUpperCase() === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200)) {
    return { status, headers, body: Buffer.alloc(0), leftover: rest };
  }
  return { status, headers, ...bodyOf(headers, rest, 'response') };
}

