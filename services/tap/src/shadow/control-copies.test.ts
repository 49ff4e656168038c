import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUpstream, type TestUpstream } from '@shadowdiff/testkit';
import { CONTROL_HEADER, runShadowJob, takesControlCopy, type ShadowJob } from './shadow-jobs.ts';
import { drainShadowSides, openShadowSides } from './shadows.ts';

const settings = { run: 'control-test', shadowHostSuffix: true, shadowTimeoutMs: 2000, maxBodyBytes: 1 << 20 };

function job(method: string, exchangeId = '019a0000-0000-7000-8000-000000000000'): ShadowJob {
  return {
    exchangeId,
    capturedAtMs: Date.now(),
    requestId: 'r-1',
    method,
    url: '/api/items/1',
    forward: ['host', 'shop:8000', 'accept', 'application/json'],
    requestBody: null,
    primary: { outcome: 'ok', status: 200, rawHeaders: [], body: null, size: 0, truncated: false, latencyMs: 1 },
  };
}

describe('control copies', () => {
  it('are taken for safe methods only, for the share asked, decided by the exchange id', () => {
    const ids = Array.from({ length: 4000 }, (_, i) => `019a0000-0000-7000-8000-${i.toString(16).padStart(4, '0')}${Math.floor(Math.random() * 0xffffffff).toString(16).padStart(8, '0')}`);
    const share = ids.filter((id) => takesControlCopy({ method: 'GET', exchangeId: id }, 0.2)).length / ids.length;
    expect(share).toBeGreaterThan(0.17);
    expect(share).toBeLessThan(0.23);
    expect(takesControlCopy({ method: 'GET', exchangeId: ids[0]! }, 0.2)).toBe(takesControlCopy({ method: 'GET', exchangeId: ids[0]! }, 0.2));
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) expect(ids.some((id) => takesControlCopy({ method, exchangeId: id }, 1))).toBe(false);
    expect(takesControlCopy({ method: 'HEAD', exchangeId: ids[0]! }, 1)).toBe(true);
    expect(takesControlCopy({ method: 'GET', exchangeId: ids[0]! }, 0)).toBe(false);
  });

  describe('sent to the primary with the candidate copy', () => {
    let primary: TestUpstream;
    let candidate: TestUpstream;
    beforeAll(async () => {
      primary = await startUpstream((_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end('{"from":"primary"}'));
      candidate = await startUpstream((_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end('{"from":"candidate"}'));
    });
    afterAll(async () => {
      await primary.close();
      await candidate.close();
    });

    it('answers as the secondary, marked, with the Host the client sent', async () => {
      const sides = openShadowSides({ candidateUrl: candidate.url, control: { primaryUrl: primary.url, percentage: 100 }, maxInFlightShadows: 10 });
      try {
        const result = await runShadowJob(job('GET'), sides, settings);
        expect(result.control).toBe(true);
        expect(Buffer.from(result.secondary!.body.base64, 'base64').toString()).toBe('{"from":"primary"}');
        expect(primary.requests).toHaveLength(1);
        expect(primary.requests[0]!.headers[CONTROL_HEADER]).toBe('1');
        expect(primary.requests[0]!.headers.host).toBe('shop:8000');
        expect(candidate.requests.at(-1)!.headers.host).toBe('shop-shadow:8000');
        expect(candidate.requests.at(-1)!.headers[CONTROL_HEADER]).toBeUndefined();

        const unsafe = await runShadowJob(job('POST'), sides, settings);
        expect(unsafe.secondary).toBeUndefined();
        expect(primary.requests).toHaveLength(1);
      } finally {
        await drainShadowSides(sides, () => 0, 0);
      }
    });

    it('are never sent when a secondary is configured', async () => {
      const before = primary.requests.length;
      const sides = openShadowSides({ candidateUrl: candidate.url, secondaryUrl: candidate.url, control: { primaryUrl: primary.url, percentage: 100 }, maxInFlightShadows: 10 });
      try {
        const result = await runShadowJob(job('GET'), sides, settings);
        expect(result.control).toBeUndefined();
        expect(primary.requests.length).toBe(before);
      } finally {
        await drainShadowSides(sides, () => 0, 0);
      }
    });
  });
});
