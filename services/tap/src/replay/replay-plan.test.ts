import { describe, expect, it } from 'vitest';
import type { RecordedExchange } from '@shadowdiff/recordings';
import { replayCaptureId } from './replay-ids.ts';
import { dueAfterMs, parsePace } from './replay-pace.ts';
import { envNameForHeader, planExchange, type PlanOptions } from './replay-plan.ts';
import { recordedPrimary, replayHeaders } from './replay-request.ts';

const exchange = (over: Partial<RecordedExchange> = {}, request: Partial<RecordedExchange['request']> = {}): RecordedExchange => ({
  origin: 'entry 1',
  startedAtMs: 0,
  request: { method: 'GET', url: '/api/orders/7', host: 'orders:8000', headers: [['accept', '*/*']], body: Buffer.alloc(0), ...request },
  response: { status: 200, headers: [['content-type', 'application/json']], body: Buffer.from('{"id":7}'), decoded: false },
  ...over,
});
const options = (over: Partial<PlanOptions> = {}): PlanOptions => ({ allowUnsafe: false, redacted: 'skip', redrive: false, env: {}, ...over });

describe('which recorded exchanges a replay sends', () => {
  it('skips unsafe methods unless allowed, and exchanges without a recorded response unless re-driven', () => {
    expect(planExchange(exchange({}, { method: 'POST' }), options())).toEqual({ send: false, reason: 'unsafe method' });
    expect(planExchange(exchange({}, { method: 'POST' }), options({ allowUnsafe: true })).send).toBe(true);
    const unanswered = exchange();
    delete unanswered.response;
    expect(planExchange(unanswered, options())).toEqual({ send: false, reason: 'no recorded response' });
    expect(planExchange(unanswered, options({ redrive: true })).send).toBe(true);
  });

  it('skips requests with redacted values, sends them as stored, or fills their headers from the environment', () => {
    const redacted = exchange({ missing: ['header authorization'] }, { headers: [['authorization', 'redacted:0123456789abcdef0123456789abcdef']] });
    expect(planExchange(redacted, options())).toMatchObject({ send: false, reason: 'redacted values', detail: 'header authorization' });
    expect(planExchange(redacted, options({ redacted: 'send' }))).toMatchObject({ send: true, headers: ['host', 'orders:8000', 'authorization', 'redacted:0123456789abcdef0123456789abcdef'] });
    expect(planExchange(redacted, options({ redacted: 'env' }))).toMatchObject({ send: false, detail: 'header authorization (set SHADOWDIFF_REPLAY_HEADER_AUTHORIZATION)' });
    expect(planExchange(redacted, options({ redacted: 'env', env: { [envNameForHeader('authorization')]: 'Bearer t0ken' } }))).toMatchObject({ send: true, headers: ['host', 'orders:8000', 'authorization', 'Bearer t0ken'] });
    expect(planExchange(exchange({ missing: ['body'] }), options({ redacted: 'env' }))).toMatchObject({ send: false, reason: 'redacted values', detail: 'body' });
  });
});

describe('what a replayed request carries', () => {
  it('asks the candidate for an uncompressed answer when the recorded primary was kept decoded', () => {
    const decoded = exchange({ response: { status: 200, headers: [], body: Buffer.from('{}'), decoded: true } }, { headers: [['Accept-Encoding', 'gzip, br'], ['accept', '*/*']] });
    expect(planExchange(decoded, options())).toMatchObject({ send: true, headers: ['host', 'orders:8000', 'accept', '*/*'] });
    expect(planExchange(decoded, options({ redrive: true }))).toMatchObject({ send: true, headers: ['host', 'orders:8000', 'Accept-Encoding', 'gzip, br', 'accept', '*/*'] });
  });

  it('keeps the recorded headers and Host, leaving framing to the sender', () => {
    const headers = replayHeaders(exchange({}, { host: 'orders:8000', headers: [['Content-Length', '3'], ['Connection', 'keep-alive'], ['X-Trace', 'a'], ['x-trace', 'b'], ['Transfer-Encoding', 'chunked']] }));
    expect(headers).toEqual(['host', 'orders:8000', 'X-Trace', 'a', 'x-trace', 'b']);
  });

  it('takes a recorded response as the primary, without encoding headers when the recording kept it decoded', () => {
    const primary = recordedPrimary({ status: 201, headers: [['Content-Encoding', 'gzip'], ['Content-Length', '20'], ['Content-Type', 'application/json']], body: Buffer.from('{"ok":true}'), decoded: true, latencyMs: 4 }, 5);
    expect(primary).toEqual({ outcome: 'ok', status: 201, headers: { 'content-type': 'application/json' }, body: { base64: Buffer.from('{"ok"').toString('base64'), size: 11, truncated: true }, latencyMs: 4 });
  });
});

describe('capture ids and pace', () => {
  it('gives each exchange of a replay the same valid, time-ordered UUIDv7 every time', () => {
    const ids = [0, 1, 2].map((i) => replayCaptureId(1_764_583_200_000, 'abc', i));
    expect(ids).toEqual([0, 1, 2].map((i) => replayCaptureId(1_764_583_200_000, 'abc', i)));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(3);
    expect(replayCaptureId(1_764_583_200_000, 'other', 0)).not.toBe(ids[0]);
  });

  it('parses --rate and --speed, refusing nonsense with the flag named', () => {
    expect(parsePace({})).toEqual({ kind: 'speed', factor: 1 });
    expect(parsePace({ rate: '200/s' })).toEqual({ kind: 'rate', perSecond: 200 });
    expect(parsePace({ speed: '2x' })).toEqual({ kind: 'speed', factor: 2 });
    expect(parsePace({ speed: 'max' })).toEqual({ kind: 'max' });
    expect(() => parsePace({ rate: '0' })).toThrow(/--rate must be/);
    expect(() => parsePace({ speed: 'fast' })).toThrow(/--speed must be/);
    expect(() => parsePace({ rate: '5', speed: '2x' })).toThrow(/not both/);
  });

  it('schedules by rate, by the recorded timing scaled, or at once', () => {
    expect(dueAfterMs({ kind: 'rate', perSecond: 100 }, 5, 0)).toBe(50);
    expect(dueAfterMs({ kind: 'speed', factor: 2 }, 5, 3000)).toBe(1500);
    expect(dueAfterMs({ kind: 'max' }, 5, 3000)).toBe(0);
  });
});
