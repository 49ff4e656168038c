import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { startDemoUpstreams } from './demo-upstreams.ts';
import { driveDemoTraffic } from './traffic-driver.ts';

interface Seen {
  method: string;
  url: string;
  requestId: string | undefined;
  body: string;
}

interface CountingServer {
  url: string;
  seen: Seen[];
  maxInFlight: number;
  server: Server;
}

const opened: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((close) => close()));
});

/** A tiny server that records every request and answers `{}` after `delayMs`. */
async function startCountingServer(delayMs = 0, onRequest?: (count: number) => void): Promise<CountingServer> {
  const state = { seen: [] as Seen[], maxInFlight: 0 };
  let inFlight = 0;
  const server = createServer((req: IncomingMessage, res) => {
    inFlight += 1;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      state.seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        requestId: req.headers['x-request-id'] as string | undefined,
        body: Buffer.concat(chunks).toString(),
      });
      onRequest?.(state.seen.length);
      setTimeout(() => {
        inFlight -= 1;
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  opened.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    get seen() {
      return state.seen;
    },
    get maxInFlight() {
      return state.maxInFlight;
    },
  };
}

describe('driveDemoTraffic', () => {
  it('sends exactly the requested number of requests, within the concurrency, then stops', async () => {
    const tap = await startCountingServer(5);
    const result = await driveDemoTraffic(tap.url, { requests: 137, concurrency: 4 });

    expect(result).toMatchObject({ sent: 137, failed: 0 });
    expect(Object.values(result.byRoute).reduce((a, b) => a + b, 0)).toBe(137);
    expect(tap.seen).toHaveLength(137);
    expect(tap.maxInFlight).toBeLessThanOrEqual(4);
    expect(new Set(tap.seen.map((seen) => seen.requestId)).size).toBe(137);
    expect(tap.seen.every((seen) => seen.url.startsWith('/api/'))).toBe(true);
    expect(tap.seen.filter((seen) => seen.method === 'POST')).toHaveLength(result.byRoute['POST /api/orders'] ?? 0);

    await sleep(200);
    expect(tap.seen).toHaveLength(137);
  });

  it('defaults to 300 requests with a varied mix of routes, ids and queries', async () => {
    const tap = await startCountingServer();
    const result = await driveDemoTraffic(tap.url);

    expect(result.sent).toBe(300);
    expect(tap.seen).toHaveLength(300);
    expect(Object.keys(result.byRoute).sort()).toEqual([
      'GET /api/health',
      'GET /api/orders/{id}',
      'GET /api/products',
      'GET /api/products/{id}',
      'GET /api/users/{id}',
      'GET /api/users/{id}/orders',
      'POST /api/orders',
    ]);
    const userIds = new Set(tap.seen.flatMap((seen) => /^\/api\/users\/(\d+)$/.exec(seen.url)?.[1] ?? []));
    expect(userIds.size).toBeGreaterThan(10);
    expect(tap.seen.some((seen) => seen.url.includes('?category='))).toBe(true);
    const posts = tap.seen.filter((seen) => seen.method === 'POST');
    expect(posts.length).toBeGreaterThan(0);
    expect(posts.length).toBeLessThan(30);
    for (const post of posts) expect(JSON.parse(post.body)).toMatchObject({ userId: expect.any(Number), items: expect.any(Array) });
  });

  it('sends the same sequence on every run', async () => {
    const first = await startCountingServer();
    const second = await startCountingServer();
    await driveDemoTraffic(first.url, { requests: 40, concurrency: 1 });
    await driveDemoTraffic(second.url, { requests: 40, concurrency: 1 });
    expect(second.seen.map((seen) => `${seen.method} ${seen.url} ${seen.body}`)).toEqual(
      first.seen.map((seen) => `${seen.method} ${seen.url} ${seen.body}`),
    );
  });

  it('counts requests that get no answer as failed instead of throwing', async () => {
    const gone = await startCountingServer();
    await new Promise<void>((resolve) => gone.server.close(() => resolve()));
    const result = await driveDemoTraffic(gone.url, { requests: 12, concurrency: 3 });
    expect(result).toMatchObject({ sent: 12, failed: 12 });
  });

  it('stops early when the signal aborts', async () => {
    const controller = new AbortController();
    const tap = await startCountingServer(20, (count) => {
      if (count === 10) controller.abort();
    });
    const result = await driveDemoTraffic(tap.url, { requests: 500, concurrency: 2, signal: controller.signal });
    expect(result.sent).toBeGreaterThanOrEqual(10);
    expect(result.sent).toBeLessThan(20);
    await sleep(100);
    expect(tap.seen.length).toBeLessThanOrEqual(result.sent);
  });

  it('only sends to a loopback tap and rejects unbounded options', async () => {
    await expect(driveDemoTraffic('http://example.com:8080', { requests: 1 })).rejects.toThrow(/loopback/);
    await expect(driveDemoTraffic('not a url')).rejects.toThrow(TypeError);
    const tap = await startCountingServer();
    await expect(driveDemoTraffic(tap.url, { requests: -1 })).rejects.toThrow(RangeError);
    await expect(driveDemoTraffic(tap.url, { requests: Number.POSITIVE_INFINITY })).rejects.toThrow(RangeError);
    await expect(driveDemoTraffic(tap.url, { concurrency: 0 })).rejects.toThrow(RangeError);
    expect(tap.seen).toHaveLength(0);
  });

  it('drives the demo primary without failures', async () => {
    const upstreams = await startDemoUpstreams();
    opened.push(() => upstreams.close());
    const result = await driveDemoTraffic(upstreams.primary.url, { requests: 120 });
    expect(result).toMatchObject({ sent: 120, failed: 0 });
  });
});
