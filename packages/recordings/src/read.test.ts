import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { EXPORT_FORMAT } from './export-lines.ts';
import { parseRecording } from './read.ts';

const SEPARATOR = '\n🐵🙈🙉\n';
const goreplay = `1 a1 1764583200000000000\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n${SEPARATOR}2 a1 1764583200001000000 1000000\nHTTP/1.1 204 No Content\r\n\r\n${SEPARATOR}`;
const body = (text: string): { base64: string; size: number; truncated: boolean } => ({ base64: Buffer.from(text).toString('base64'), size: text.length, truncated: false });
const exportLine = (over: Record<string, unknown> = {}): string =>
  JSON.stringify({
    format: EXPORT_FORMAT,
    id: '019ad4a2-8f00-7abc-8def-0123456789ab',
    run: 'checkout-v2',
    capturedAt: '2026-11-30T10:00:00.000Z',
    request: { method: 'GET', url: '/api/cart', headers: { authorization: 'redacted:0123456789abcdef0123456789abcdef', accept: '*/*' }, body: body('') },
    primary: { outcome: 'ok', status: 200, headers: {}, body: body('{"items":[]}'), latencyMs: 3 },
    candidate: { outcome: 'ok', status: 200, headers: {}, body: body('{"items":[]}'), latencyMs: 4 },
    ...over,
  });

describe('reading a recording of any format', () => {
  it('tells the format by content, gzipped or not, and names the recording by its bytes', () => {
    const plain = parseRecording(Buffer.from(goreplay));
    expect(plain.format).toBe('goreplay');
    expect(plain.exchanges[0]!.response!.status).toBe(204);
    const zipped = parseRecording(gzipSync(Buffer.from(goreplay)));
    expect(zipped.exchanges).toEqual(plain.exchanges);
    expect(zipped.id).toMatch(/^[0-9a-f]{64}$/);
    expect(parseRecording(Buffer.from('{"log":{"entries":[]}}')).format).toBe('har');
  });

  it("reads shadowdiff's export, and says what redaction took from a request", () => {
    const { format, exchanges } = parseRecording(Buffer.from(`${exportLine()}\n`));
    expect(format).toBe('shadowdiff-export');
    expect(exchanges[0]).toMatchObject({ captureId: '019ad4a2-8f00-7abc-8def-0123456789ab', missing: ['header authorization'], request: { url: '/api/cart' } });
    expect(exchanges[0]!.response!.body.toString()).toBe('{"items":[]}');
  });

  it('says what redaction took from a query and a form body, and keeps a cut primary marked as cut', () => {
    const form = 'user=ann&password=redacted%3A0123456789abcdef0123456789abcdef';
    const line = exportLine({
      request: { method: 'POST', url: '/login?token=redacted:0123456789abcdef0123456789abcdef&next=%2F', headers: {}, body: body(form) },
      primary: { outcome: 'ok', status: 200, headers: {}, body: { base64: Buffer.from('{"ite').toString('base64'), size: 900, truncated: true }, latencyMs: 3 },
    });
    const [exchange] = parseRecording(Buffer.from(`${line}\n`)).exchanges;
    expect(exchange!.missing).toEqual(['query token', 'body']);
    expect(exchange!.response!.truncated).toEqual({ size: 900 });
  });

  it('names the line of a bad export, and refuses empty, damaged and unknown files', () => {
    expect(() => parseRecording(Buffer.from(`${exportLine()}\n${exportLine({ request: { method: 'GET' } })}\n`), 'run.ndjson')).toThrow(/^run\.ndjson: line 2: request\.url: /);
    expect(() => parseRecording(Buffer.from(`${exportLine()}\n{"format":"${EXPORT_FORMAT}", "id"`), 'run.ndjson')).toThrow(/line 2: not valid JSON .*cut short/);
    expect(() => parseRecording(Buffer.from('  \n'), 'x.har')).toThrow('x.har: the file is empty');
    expect(() => parseRecording(gzipSync(Buffer.from(goreplay)).subarray(0, 20), 'x.gz')).toThrow(/x\.gz: a damaged gzip file/);
    expect(() => parseRecording(Buffer.from('hello,world\n1,2\n'), 'data.csv')).toThrow(/data\.csv: not a recording shadowdiff reads/);
  });
});
