import { describe, expect, it } from 'vitest';
import { halfFromEnvoyTrace } from './envoy-tap.ts';
import { ingestHalfLineSchema } from './ingest-lines.ts';

const at = '2025-03-01T12:00:00.000Z';
const trace = (authority: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({
    http_buffered_trace: {
      request: {
        headers: [
          { key: ':method', value: 'POST' },
          { key: ':path', value: '/orders?id=7' },
          { key: ':authority', value: authority },
          { key: 'x-request-id', value: 'req-1' },
          { key: 'accept', value: 'a' },
          { key: 'Accept', value: 'b' },
        ],
        body: { as_string: '{"n":1}', truncated: false },
      },
      response: { headers: [{ key: ':status', value: '201' }, { key: 'content-type', value: 'application/json' }], body: { as_bytes: Buffer.from('{"ok":true}').toString('base64'), truncated: true } },
      ...extra,
    },
  });

describe('Envoy tap traces as halves', () => {
  it("reads the primary's half: request from pseudo-headers, bodies as bytes or text, repeated headers kept", () => {
    const half = halfFromEnvoyTrace(trace('orders:8000'), { side: 'auto', capturedAt: at, run: 'r' });
    expect(ingestHalfLineSchema.safeParse(half).success).toBe(true);
    expect(half).toMatchObject({ side: 'primary', requestId: 'req-1', run: 'r', capturedAt: at });
    expect(half.request).toMatchObject({ method: 'POST', url: '/orders?id=7', headers: { accept: ['a', 'b'], 'x-request-id': 'req-1' } });
    expect(Buffer.from(half.request!.body.base64, 'base64').toString()).toBe('{"n":1}');
    expect(half.response).toMatchObject({ outcome: 'ok', status: 201, headers: { 'content-type': 'application/json' }, body: { truncated: true, size: 11 } });
  });

  it("tells the candidate's half by the -shadow authority, unless the side is given, and keeps no request", () => {
    const half = halfFromEnvoyTrace(trace('orders-shadow:8000'), { side: 'auto', capturedAt: at });
    expect(half.side).toBe('candidate');
    expect(half.request).toBeUndefined();
    expect(halfFromEnvoyTrace(trace('orders-shadow:8000'), { side: 'primary', capturedAt: at }).side).toBe('primary');
  });

  it('refuses what cannot be joined or is no buffered trace, saying why', () => {
    expect(() => halfFromEnvoyTrace('{"http_buffered_trace":', { side: 'auto', capturedAt: at })).toThrow(/not valid JSON/);
    expect(() => halfFromEnvoyTrace('{"http_streamed_trace_segment":{}}', { side: 'auto', capturedAt: at })).toThrow(/http_buffered_trace/);
    const noId = JSON.stringify({ http_buffered_trace: { request: { headers: [{ key: ':method', value: 'GET' }, { key: ':path', value: '/' }] } } });
    expect(() => halfFromEnvoyTrace(noId, { side: 'auto', capturedAt: at })).toThrow(/x-request-id/);
  });

  it('files a trace without a response as an error outcome', () => {
    const half = halfFromEnvoyTrace(JSON.stringify({ httpBufferedTrace: { request: { headers: [{ key: ':method', value: 'GET' }, { key: ':path', value: '/' }, { key: 'x-request-id', value: 'x' }] } } }), { side: 'candidate', capturedAt: at });
    expect(half.response).toMatchObject({ outcome: 'error', status: null });
  });
});
