import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUpstream, type TestUpstream } from '@shadowdiff/testkit';
import { counterValue, rawRequest, startTestTap, type TestTap } from '../test/test-support.ts';

/** Writes raw bytes to a server and returns the status codes it answered with before closing (or 1 s). */
function sendRaw(url: string, bytes: string): Promise<number[]> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1');
    let received = '';
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve([...received.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => Number(m[1])));
    };
    const timer = setTimeout(done, 1000);
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    socket.on('close', done);
    socket.on('error', done);
    socket.write(bytes, 'latin1');
  });
}

const smuggled = 'GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n';
const cases: [string, string][] = [
  ['a malformed request line', 'GARBAGE\r\n\r\n'],
  ['a bad HTTP version', 'GET / HTTP/9.9\r\nHost: x\r\n\r\n'],
  ['Content-Length with Transfer-Encoding (CL.TE)', `POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggled}`],
  ['Transfer-Encoding then Content-Length (TE.CL)', `POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n5c\r\n${smuggled}\r\n0\r\n\r\n`],
  ['two different Content-Lengths', `POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 40\r\n\r\n${smuggled}`],
  ['an obfuscated Transfer-Encoding', `POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n${smuggled}`],
  ['a space before the colon', `POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n${smuggled}`],
  ['a NUL in a header value', `GET /a HTTP/1.1\r\nHost: x\r\nX-Bad: a\x00b\r\n\r\n${smuggled}`],
  ['oversized headers', `GET /a HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`],
  ['no Host header', 'GET /a HTTP/1.1\r\n\r\n'],
  ['a bad chunk size', `POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n${smuggled}`],
];

describe('inline tap: bad input', () => {
  let primary: TestUpstream;
  let candidate: TestUpstream;
  /** A plain Node server: what Node's parser does with the same bytes. */
  let reference: TestUpstream;
  let tap: TestTap;

  beforeAll(async () => {
    reference = await startUpstream((_req, res) => void res.end('ok'));
    primary = await startUpstream((_req, res) => void res.end('ok'));
    candidate = await startUpstream((_req, res) => void res.end('ok'));
    tap = await startTestTap({ primaryUrl: primary.url, candidateUrl: candidate.url, mirrorUnsafeMethods: true });
  });
  afterAll(async () => {
    await tap?.close();
    await primary?.close();
    await candidate?.close();
    await reference?.close();
  });

  it.each(cases)('%s: answered as Node answers it directly, nothing smuggled through', async (_name, bytes) => {
    const direct = await sendRaw(reference.url, bytes);
    const viaTap = await sendRaw(tap.url, bytes);
    expect(viaTap).toEqual(direct);
    expect(viaTap.every((status) => status >= 400)).toBe(true);
    expect(primary.requests.some((r) => r.url === '/smuggled')).toBe(false);
    expect(candidate.requests.some((r) => r.url === '/smuggled')).toBe(false);
  });

  it('rejects oversized headers with 431 and counts every rejection; it keeps serving', async () => {
    expect(await sendRaw(tap.url, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`)).toEqual([431]);
    expect(await counterValue(tap.metrics.requests, { outcome: 'rejected' })).toBeGreaterThanOrEqual(cases.length);
    // Only requests that parsed reached the upstream, and none of them is a smuggled one.
    expect(primary.requests.every((r) => r.url !== '/smuggled')).toBe(true);
    const after = await rawRequest(`${tap.url}/still-alive`);
    expect(after.status).toBe(200);
    expect(after.body.toString()).toBe('ok');
  });
});
