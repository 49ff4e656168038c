import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startUpstream, type TestUpstream } from '@shadowdiff/testkit';
import { endToEnd, rawRequest, startTestTap, type TestTap } from '../test/test-support.ts';

const large = randomBytes(5 * 1024 * 1024);
const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const gzipped = gzipSync(JSON.stringify({ items: Array.from({ length: 200 }, (_, i) => ({ id: i, name: `item ${i}` })) }));
let release: () => void = () => undefined;

/** Every case the client must get byte for byte, whatever the tap does on the side. */
function primaryHandler(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, body: Buffer): void {
  res.sendDate = false;
  const path = req.url!.split('?')[0];
  switch (path) {
    case '/gzip':
      res.writeHead(200, ['Content-Type', 'application/json', 'Content-Encoding', 'gzip', 'Content-Length', String(gzipped.length), 'Vary', 'Accept-Encoding']);
      res.end(gzipped);
      return;
    case '/chunked':
      res.writeHead(200, ['content-type', 'text/plain']);
      res.write('first,');
      setTimeout(() => {
        res.write('second,');
        res.end('third');
      }, 10);
      return;
    case '/binary':
      res.writeHead(200, ['Content-Type', 'application/octet-stream', 'Content-Length', '256']);
      res.end(binary);
      return;
    case '/large':
      res.writeHead(200, ['Content-Type', 'application/octet-stream', 'Content-Length', String(large.length)]);
      res.end(req.method === 'HEAD' ? undefined : large);
      return;
    case '/empty':
      res.writeHead(200, ['Content-Length', '0', 'X-Empty', 'yes']);
      res.end();
      return;
    case '/no-content':
      res.writeHead(204, ['X-Deleted', '1']);
      res.end();
      return;
    case '/not-modified':
      res.writeHead(304, ['ETag', '"v1"', 'Cache-Control', 'max-age=60']);
      res.end();
      return;
    case '/cookies':
      res.writeHead(201, 'Made It', [
        'Set-Cookie', 'a=1; Path=/; HttpOnly',
        'Set-Cookie', 'b=2; Path=/',
        'set-cookie', 'c=3',
        'X-CaSe-ODD', 'kept',
        'Date', 'Tue, 01 Jan 2030 00:00:00 GMT',
        'Content-Length', '2',
      ]);
      res.end('ok');
      return;
    case '/teapot':
      res.writeHead(418, 'Short And Stout', ['Content-Type', 'text/plain', 'Content-Length', '6']);
      res.end('teapot');
      return;
    case '/echo':
      res.writeHead(200, ['Content-Type', 'application/octet-stream', 'Content-Length', String(body.length)]);
      res.end(body);
      return;
    case '/hold':
      res.writeHead(200, ['content-type', 'text/plain']);
      res.write('early bytes;');
      new Promise<void>((r) => (release = r)).then(() => res.end('late bytes'));
      return;
    default:
      res.writeHead(404, ['Content-Length', '0']);
      res.end();
  }
}

describe('inline tap: the client gets the primary exactly', () => {
  let primary: TestUpstream;
  let candidate: TestUpstream;
  let tap: TestTap;
  let bare: TestTap;

  beforeAll(async () => {
    primary = await startUpstream(primaryHandler);
    candidate = await startUpstream((_req, res) => void res.end('candidate'));
    tap = await startTestTap({ primaryUrl: primary.url, candidateUrl: candidate.url, run: 'exact', maxBodyBytes: 1024 * 1024 });
    // Copies from the serving thread here, so that path is covered too.
    bare = await startTestTap({ primaryUrl: primary.url, candidateUrl: candidate.url, run: 'bare', shadowHostSuffix: false });
  });
  afterAll(async () => {
    await tap?.close();
    await bare?.close();
    await primary?.close();
    await candidate?.close();
  });

  const cases: [string, string][] = [
    ['GET', '/gzip'],
    ['GET', '/chunked'],
    ['GET', '/binary'],
    ['GET', '/large'],
    ['HEAD', '/large'],
    ['GET', '/empty'],
    ['GET', '/no-content'],
    ['GET', '/not-modified'],
    ['GET', '/cookies'],
    ['GET', '/teapot'],
    ['GET', '/missing'],
  ];

  it.each(cases)('%s %s: status, reason, headers (case, order, repeats) and body bytes as direct', async (method, path) => {
    const direct = await rawRequest(primary.url + path, { method, headers: { 'accept-encoding': 'gzip' } });
    const viaTap = await rawRequest(tap.url + path, { method, headers: { 'accept-encoding': 'gzip' } });
    expect(viaTap.status).toBe(direct.status);
    expect(viaTap.statusMessage).toBe(direct.statusMessage);
    expect(endToEnd(viaTap.rawHeaders)).toEqual(endToEnd(direct.rawHeaders));
    expect(viaTap.body.equals(direct.body)).toBe(true);
  });

  it('passes request bodies through and echoes them byte for byte (unsafe method: not mirrored)', async () => {
    const payload = randomBytes(300_000);
    const viaTap = await rawRequest(`${tap.url}/echo`, { method: 'POST', body: payload, headers: { 'content-type': 'application/octet-stream' } });
    expect(viaTap.body.equals(payload)).toBe(true);
    const chunked = await new Promise<Buffer>((resolve, reject) => {
      const req = httpRequest(`${tap.url}/echo`, { method: 'PUT', agent: false }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c)).on('end', () => resolve(Buffer.concat(parts)));
      });
      req.on('error', reject);
      req.write('part one,');
      setTimeout(() => req.end('part two'), 20);
    });
    expect(chunked.toString()).toBe('part one,part two');
    expect(candidate.requests.some((r) => r.url === '/echo')).toBe(false);
  });

  it('copies a request body to the candidate whole, once the client has sent all of it', async () => {
    const unsafe = await startTestTap({ primaryUrl: primary.url, candidateUrl: candidate.url, mirrorUnsafeMethods: true });
    const payload = randomBytes(200_000);
    const res = await rawRequest(`${unsafe.url}/echo?copy=1`, { method: 'POST', body: payload });
    expect(res.body.equals(payload)).toBe(true);
    await eventually(() => unsafe.captures.length === 1);
    expect(candidate.requests.find((r) => r.url === '/echo?copy=1')!.body.equals(payload)).toBe(true);
    expect(Buffer.from(unsafe.captures[0]!.request.body.base64, 'base64').equals(payload)).toBe(true);
    await unsafe.close();
  });

  it('sends the copy to the secondary too, and files its response beside the candidate’s', async () => {
    const secondary = await startUpstream((_req, res) => void res.end('secondary'));
    const withSecondary = await startTestTap({ primaryUrl: primary.url, candidateUrl: candidate.url, secondaryUrl: secondary.url, run: 'noise' });
    await rawRequest(`${withSecondary.url}/binary?secondary=1`, { headers: { host: 'svc.example' } });
    await eventually(() => withSecondary.captures.length === 1);
    const [capture] = withSecondary.captures;
    expect(capture!.candidate).toMatchObject({ outcome: 'ok', status: 200 });
    expect(capture!.secondary).toMatchObject({ outcome: 'ok', status: 200 });
    expect(Buffer.from(capture!.secondary!.body.base64, 'base64').toString()).toBe('secondary');
    expect(secondary.requests[0]!.headers).toMatchObject({ host: 'svc.example-shadow', 'x-shadowdiff-run': 'noise', 'x-shadowdiff-exchange-id': capture!.id });
    await withSecondary.close();
    await secondary.close();
  });

  it('streams the response as it arrives instead of waiting for the end', async () => {
    const early = await new Promise<string>((resolve, reject) => {
      httpRequest(`${tap.url}/hold`, { agent: false }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => {
          text += c.toString();
          if (text.includes('early bytes;') && !text.includes('late')) {
            resolve(text);
            release();
          }
        });
      })
        .on('error', reject)
        .end();
    });
    expect(early).toBe('early bytes;');
  });

  it('marks the copy: Host -shadow, run and exchange id, the client x-request-id kept or one added to both sides', async () => {
    const before = tap.captures.length;
    await rawRequest(`${tap.url}/binary?mark=1`, { headers: { 'x-request-id': 'client-req-1', host: 'svc.example' } });
    await rawRequest(`${tap.url}/binary?mark=2`);
    await rawRequest(`${bare.url}/binary?mark=3`, { headers: { host: 'svc.example' } });
    await eventually(() => tap.captures.length >= before + 2 && bare.captures.length >= 1);

    const shadow1 = candidate.requests.find((r) => r.url === '/binary?mark=1')!;
    expect(shadow1.headers.host).toBe('svc.example-shadow');
    expect(shadow1.headers['x-request-id']).toBe('client-req-1');
    expect(shadow1.headers['x-shadowdiff-run']).toBe('exact');
    const capture1 = tap.captures.find((c) => c.request.url === '/binary?mark=1')!;
    expect(shadow1.headers['x-shadowdiff-exchange-id']).toBe(capture1.id);
    expect(capture1.requestId).toBe('client-req-1');
    expect(primary.requests.find((r) => r.url === '/binary?mark=1')!.headers.host).toBe('svc.example');

    const added = primary.requests.find((r) => r.url === '/binary?mark=2')!.headers['x-request-id'];
    expect(added).toMatch(/^[0-9a-f-]{36}$/);
    expect(candidate.requests.find((r) => r.url === '/binary?mark=2')!.headers['x-request-id']).toBe(added);
    expect(candidate.requests.find((r) => r.url === '/binary?mark=3')!.headers.host).toBe('svc.example');
  });

  it('captures bodies up to the cap and says when one was cut; the client still got all of it', async () => {
    await eventually(() => tap.captures.some((c) => c.request.url === '/large' && c.request.method === 'GET'));
    const big = tap.captures.find((c) => c.request.url === '/large' && c.request.method === 'GET')!;
    expect(big.primary.body).toMatchObject({ size: large.length, truncated: true });
    expect(Buffer.from(big.primary.body.base64, 'base64').equals(large.subarray(0, 1024 * 1024))).toBe(true);
    const bin = tap.captures.find((c) => c.request.url === '/binary')!;
    expect(Buffer.from(bin.primary.body.base64, 'base64').equals(binary)).toBe(true);
    expect(bin.primary.body.truncated).toBe(false);
    expect(bin.candidate).toMatchObject({ outcome: 'ok', status: 200 });
    expect(tap.captures.find((c) => c.request.url === '/cookies')!.primary.headers['set-cookie']).toHaveLength(3);
  });
});
