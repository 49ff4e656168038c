import { describe, expect, it } from 'vitest';
import { readGoReplay, looksLikeGoReplay } from './goreplay.ts';

const SEPARATOR = '\n🐵🙈🙉\n';
const NS = 1_764_583_200_000_000_000n; // 2025-12-01T10:00:00Z in nanoseconds
const payload = (type: 1 | 2 | 3, id: string, at: bigint, message: string, latencyNs?: number): string =>
  `${type} ${id} ${at}${latencyNs === undefined ? '' : ` ${latencyNs}`}\n${message}`;
const file = (...payloads: string[]): Buffer => Buffer.from(payloads.map((p) => p + SEPARATOR).join(''));

const getOrder = 'GET /api/orders/7 HTTP/1.1\r\nHost: orders:8000\r\nAccept: */*\r\n\r\n';
const postOrder = 'POST /api/orders HTTP/1.1\r\nHost: orders:8000\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"qty": 2 }';
const okJson = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 8\r\n\r\n{"id":7}';
const chunked = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{"id\r\n4\r\n":7}\r\n0\r\n\r\n';

describe('reading GoReplay files', () => {
  it('pairs each request with its recorded response by id, in time order', () => {
    const exchanges = readGoReplay(file(
      payload(1, 'b2', NS + 5_000_000n, postOrder),
      payload(1, 'a1', NS, getOrder),
      payload(2, 'a1', NS + 1_000_000n, okJson, 3_500_000),
      payload(3, 'a1', NS + 2_000_000n, okJson, 1),
    ));
    expect(exchanges.map((e) => e.request.method)).toEqual(['GET', 'POST']);
    const [get, post] = exchanges;
    expect(get!.startedAtMs).toBe(Number(NS / 1_000_000n));
    expect(get!.request).toMatchObject({ url: '/api/orders/7', host: 'orders:8000' });
    expect(get!.response).toMatchObject({ status: 200, decoded: false, latencyMs: 3.5 });
    expect(get!.response!.body.toString()).toBe('{"id":7}');
    expect(post!.request.body.toString()).toBe('{"qty": 2 }');
    expect(post!.response).toBeUndefined();
  });

  it('decodes chunked bodies and reads a file whose last separator is missing', () => {
    const bytes = Buffer.from(payload(1, 'a1', NS, getOrder) + SEPARATOR + payload(2, 'a1', NS, chunked));
    expect(readGoReplay(bytes)[0]!.response!.body.toString()).toBe('{"id":7}');
  });

  it('reads HEAD, 204 and 304 answers as bodiless whatever their length says, and passes over 100 Continue', () => {
    const head = 'HEAD /api/orders/7 HTTP/1.1\r\nHost: orders:8000\r\n\r\n';
    const [headExchange, continued] = readGoReplay(file(
      payload(1, 'h1', NS, head),
      payload(2, 'h1', NS, 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n'),
      payload(1, 'c1', NS + 1n, postOrder),
      payload(2, 'c1', NS + 1n, `HTTP/1.1 100 Continue\r\n\r\n${okJson}`),
    ));
    expect(headExchange!.response).toMatchObject({ status: 200, body: Buffer.alloc(0) });
    expect(continued!.response!.status).toBe(200);
    expect(continued!.response!.body.toString()).toBe('{"id":7}');
    const [notModified] = readGoReplay(file(payload(1, 'n1', NS, getOrder), payload(2, 'n1', NS, 'HTTP/1.1 304 Not Modified\r\nContent-Length: 8\r\n\r\n')));
    expect(notModified!.response).toMatchObject({ status: 304, body: Buffer.alloc(0) });
  });

  it('reads heads with bare LF line ends, folded header lines and LF-only chunk sizes', () => {
    const lfHead = 'POST /api/notes HTTP/1.1\nHost: notes\nX-Long: part one\n  part two\nContent-Length: 6\n\na\r\nb\r\n';
    const lfChunked = 'HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\nabc\n0\n\n';
    const [exchange] = readGoReplay(file(payload(1, 'l1', NS, lfHead), payload(2, 'l1', NS, lfChunked)));
    expect(exchange!.request.headers).toEqual([['Host', 'notes'], ['X-Long', 'part one part two'], ['Content-Length', '6']]);
    expect(exchange!.request.body.toString()).toBe('a\r\nb\r\n');
    expect(exchange!.response!.body.toString()).toBe('abc');
  });

  it('names the record whose separator line is missing', () => {
    const runTogether = Buffer.from(payload(1, 'a1', NS, getOrder) + '\n' + payload(1, 'b2', NS, getOrder) + SEPARATOR);
    expect(() => readGoReplay(runTogether)).toThrow(/record 1: another payload follows without its separator line/);
    const responseRunTogether = Buffer.from(payload(1, 'a1', NS, getOrder) + SEPARATOR + payload(2, 'a1', NS, 'HTTP/1.1 200 OK\r\n\r\nbody') + '\n' + payload(1, 'b2', NS, getOrder));
    expect(() => readGoReplay(responseRunTogether)).toThrow(/record 2: another payload follows/);
  });

  it('names the record that is not HTTP or is cut short', () => {
    expect(() => readGoReplay(file(payload(1, 'a1', NS, 'hello there\r\n\r\n')))).toThrow(/record 1: not an HTTP request line/);
    expect(() => readGoReplay(file(payload(1, 'a1', NS, getOrder), payload(2, 'a1', NS, okJson.slice(0, -3))))).toThrow(/record 2: the body is cut short: content-length says 8 bytes, 5 were recorded/);
    expect(() => readGoReplay(file(payload(1, 'a1', NS, getOrder), 'garbage'))).toThrow(/record 2: not a GoReplay payload header/);
  });

  it('tells a GoReplay file by its first line', () => {
    expect(looksLikeGoReplay(Buffer.from(payload(1, 'a1', NS, getOrder)))).toBe(true);
    expect(looksLikeGoReplay(Buffer.from('{"log":{}}'))).toBe(false);
  });
});
