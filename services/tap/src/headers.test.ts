import { describe, expect, it } from 'vitest';
import { endToEndRawHeaders, headersRecord, scanRequestHeaders } from './headers.ts';

describe('request headers', () => {
  it('keep name case, order and repeats; drop hop-by-hop ones, those Connection names, and Expect', () => {
    const heads = scanRequestHeaders([
      'Host', 'svc:8080',
      'X-Request-ID', 'r-1',
      'Connection', 'keep-alive, X-Hop',
      'X-Hop', 'drop me',
      'Keep-Alive', 'timeout=5',
      'Expect', '100-continue',
      'Content-Length', '5',
      'X-Multi', 'a',
      'x-multi', 'b',
      'Proxy-Authorization', 'Basic xyz',
    ]);
    expect(heads).toEqual({
      forward: ['Host', 'svc:8080', 'X-Request-ID', 'r-1', 'Content-Length', '5', 'X-Multi', 'a', 'x-multi', 'b'],
      host: 'svc:8080',
      requestId: 'r-1',
      hasBody: true,
    });
  });

  it('know when a body follows', () => {
    expect(scanRequestHeaders(['Content-Length', '0']).hasBody).toBe(false);
    expect(scanRequestHeaders(['Transfer-Encoding', 'chunked']).hasBody).toBe(true);
    expect(scanRequestHeaders([]).hasBody).toBe(false);
  });

  it('become a record with lower-case names and repeated ones as arrays', () => {
    expect(headersRecord(endToEndRawHeaders(['Set-Cookie', 'a=1', 'set-cookie', 'b=2', 'Transfer-Encoding', 'chunked']))).toEqual({ 'set-cookie': ['a=1', 'b=2'] });
  });
});
