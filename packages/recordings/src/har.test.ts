import { describe, expect, it } from 'vitest';
import { readHar } from './har.ts';
import { RecordingError } from './recorded.ts';

const entry = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  startedDateTime: '2026-11-30T10:00:00.000Z',
  time: 12.5,
  request: { method: 'GET', url: 'http://orders.local:8000/api/orders/7?full=1', httpVersion: 'HTTP/1.1', headers: [{ name: 'accept', value: 'application/json' }], queryString: [], cookies: [], headersSize: -1, bodySize: 0 },
  response: {
    status: 200, statusText: 'OK', httpVersion: 'HTTP/1.1', cookies: [], redirectURL: '', headersSize: -1, bodySize: 20,
    headers: [{ name: 'content-type', value: 'application/json' }, { name: 'content-encoding', value: 'gzip' }],
    content: { size: 20, mimeType: 'application/json', text: '{"id":7,"total":10}' },
  },
  cache: {},
  timings: { send: 0, wait: 12, receive: 0.5 },
  ...over,
});
const har = (entries: unknown[]): string => JSON.stringify({ log: { version: '1.2', creator: { name: 'test', version: '1' }, entries } });

describe('reading HAR 1.2', () => {
  it('keeps the request as sent and the response decoded, sorted by start time', () => {
    const later = entry({ startedDateTime: '2026-11-30T10:00:01.000Z' });
    const [first, second] = readHar(har([later, entry()]));
    expect(first!.startedAtMs).toBe(Date.parse('2026-11-30T10:00:00.000Z'));
    expect(second!.startedAtMs).toBe(first!.startedAtMs + 1000);
    expect(first!.request).toEqual({ method: 'GET', url: '/api/orders/7?full=1', host: 'orders.local:8000', headers: [['accept', 'application/json']], body: Buffer.alloc(0) });
    expect(first!.response).toMatchObject({ status: 200, decoded: true, latencyMs: 12.5 });
    expect(first!.response!.body.toString()).toBe('{"id":7,"total":10}');
    expect(first!.origin).toBe('entry 2 (GET /api/orders/7)');
  });

  it('reads base64 bodies, repeated headers and form parameters, and drops HTTP/2 pseudo-headers', () => {
    const [exchange] = readHar(har([entry({
      request: {
        method: 'POST', url: 'https://shop.example/login', headers: [{ name: ':authority', value: 'shop.example' }, { name: 'cookie', value: 'a=1' }, { name: 'cookie', value: 'b=2' }],
        postData: { mimeType: 'application/x-www-form-urlencoded', params: [{ name: 'user', value: 'ann' }, { name: 'next', value: '/a b' }] },
      },
      response: { status: 201, headers: [], content: { size: 3, mimeType: 'application/octet-stream', text: 'AQID', encoding: 'base64' } },
    })]));
    expect(exchange!.request.headers).toEqual([['cookie', 'a=1'], ['cookie', 'b=2']]);
    expect(exchange!.request.body.toString()).toBe('user=ann&next=%2Fa+b');
    expect([...exchange!.response!.body]).toEqual([1, 2, 3]);
  });

  it('has no recorded response where the browser got none (status 0) or kept no body it was sent', () => {
    const [aborted] = readHar(har([entry({ response: { status: 0, headers: [], content: { size: 0, mimeType: '' } } })]));
    expect(aborted!.response).toBeUndefined();
    const [unread] = readHar(har([entry({ response: { status: 200, headers: [], content: { size: 258, mimeType: 'application/json' } } })]));
    expect(unread!.response).toBeUndefined();
    const [empty] = readHar(har([entry({ response: { status: 204, headers: [], content: { size: 0, mimeType: '' } } })]));
    expect(empty!.response).toMatchObject({ status: 204, body: Buffer.alloc(0) });
  });

  it('rejects a file cut short, a document that is not HAR, and a bad entry, naming it', () => {
    const whole = har([entry(), entry()]);
    expect(() => readHar(whole.slice(0, whole.length - 40))).toThrow(/not valid JSON .*cut short/);
    expect(() => readHar('{"entries": []}')).toThrow(/log\.entries is missing/);
    expect(() => readHar(har([entry(), entry({ request: { url: 'http://x/' } })]))).toThrow(new RecordingError('entry 2: request.method is missing'));
    expect(() => readHar(har([entry({ request: { method: 'GET', url: '/relative' } })]))).toThrow(/entry 1: request.url is not an absolute URL/);
    expect(() => readHar(har([entry({ startedDateTime: 'yesterday' })]))).toThrow(/entry 1: startedDateTime is not a date/);
    expect(() => readHar(har([entry({ response: { status: 200, headers: [], content: { size: 9, mimeType: 'text/plain', _file: 'abc.txt' } } })]))).toThrow(/entry 1: the response body is in a separate file \(abc\.txt\)/);
  });
});
