import { randomUUID } from 'node:crypto';
import { seededRandom } from '@shadowdiff/core';
import { PRODUCT_CATEGORIES, SEED_COUNTS } from './seed-data.ts';

/** Options of {@link driveDemoTraffic}. */
export interface DriveDemoTrafficOptions {
  /** How many requests to send in total; default 300, at most {@link MAX_DEMO_REQUESTS}. */
  requests?: number;
  /** How many requests are in flight at once; default 8, at most {@link MAX_DEMO_CONCURRENCY}. */
  concurrency?: number;
  /** Stops sending early; requests still in flight are aborted and counted as failed. */
  signal?: AbortSignal;
  /** Per-request time limit in milliseconds; default 10 000. */
  timeoutMs?: number;
}

/** What {@link driveDemoTraffic} did. */
export interface DemoTrafficResult {
  /** Requests issued. */
  sent: number;
  /** Issued requests that got no HTTP response (connection error, timeout, abort); 4xx/5xx are answers, not failures. */
  failed: number;
  /** Issued requests per route template, e.g. `GET /api/users/{id}`. */
  byRoute: Record<string, number>;
}

/** One request of the demo mix. */
export interface DemoRequestPlan {
  route: string;
  method: 'GET' | 'POST';
  /** Path and query, e.g. `/api/products?category=books`. */
  path: string;
  /** JSON text for POSTs. */
  body?: string;
}

export const MAX_DEMO_REQUESTS = 100_000;
export const MAX_DEMO_CONCURRENCY = 64;
const DEFAULT_SEED = 0x7a_ff1c;

/**
 * Sends a bounded mix of realistic requests to the tap and resolves when all are answered or
 * failed. The mix is the same on every run (seeded); request ids are fresh UUIDs. Only loopback
 * tap URLs are accepted, so a mistyped URL can never send demo traffic to a real service.
 */
export async function driveDemoTraffic(tapUrl: string, options: DriveDemoTrafficOptions = {}): Promise<DemoTrafficResult> {
  const base = loopbackBase(tapUrl);
  const total = boundedInteger('requests', options.requests ?? 300, 0, MAX_DEMO_REQUESTS);
  const concurrency = boundedInteger('concurrency', options.concurrency ?? 8, 1, MAX_DEMO_CONCURRENCY);
  const timeoutMs = boundedInteger('timeoutMs', options.timeoutMs ?? 10_000, 1, 600_000);
  const { signal } = options;
  const plan = demoRequests(DEFAULT_SEED);
  const result: DemoTrafficResult = { sent: 0, failed: 0, byRoute: {} };
  const basePath = base.pathname.replace(/\/+$/, '');

  // Workers share one generator; JavaScript runs them one at a time between awaits, so each
  // planned request is taken exactly once and exactly `total` are issued.
  async function work(): Promise<void> {
    while (result.sent < total && !signal?.aborted) {
      const request = plan.next().value;
      result.sent += 1;
      result.byRoute[request.route] = (result.byRoute[request.route] ?? 0) + 1;
      const timeout = AbortSignal.timeout(timeoutMs);
      try {
        const response = await fetch(new URL(basePath + request.path, base.origin), {
          method: request.method,
          headers: {
            accept: 'application/json',
            'user-agent': 'shadowdiff-demo-driver',
            'x-request-id': randomUUID(),
            ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: request.body,
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
        await response.arrayBuffer(); // read to the end so the connection returns to the pool
      } catch {
        result.failed += 1;
      }
    }
  }

  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(total, 1)) }, work));
  return result;
}

/** The endless, seeded demo mix: skewed towards popular ids, with a few misses and POSTs. */
export function* demoRequests(seed: number): Generator<DemoRequestPlan, never> {
  const random = seededRandom(seed);
  const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  // Squaring the uniform draw favours low ids, like real traffic favours popular records.
  const popular = (count: number): number => 1 + Math.floor(random() ** 2 * count);
  const orMissing = (id: number, count: number): number => (random() < 0.05 ? count + int(1, 20) : id);

  for (;;) {
    const roll = random() * 100;
    if (roll < 24) {
      const id = orMissing(popular(SEED_COUNTS.users), SEED_COUNTS.users);
      yield { route: 'GET /api/users/{id}', method: 'GET', path: `/api/users/${id}` };
    } else if (roll < 38) {
      const query = ['', '?limit=5', '?status=shipped', '?status=delivered&limit=3'][int(0, 3)]!;
      yield { route: 'GET /api/users/{id}/orders', method: 'GET', path: `/api/users/${popular(SEED_COUNTS.users)}/orders${query}` };
    } else if (roll < 64) {
      const id = orMissing(popular(SEED_COUNTS.orders), SEED_COUNTS.orders);
      yield { route: 'GET /api/orders/{id}', method: 'GET', path: `/api/orders/${id}` };
    } else if (roll < 76) {
      const query = random() < 0.8 ? `?category=${PRODUCT_CATEGORIES[int(0, PRODUCT_CATEGORIES.length - 1)]}` : '';
      yield { route: 'GET /api/products', method: 'GET', path: `/api/products${query}` };
    } else if (roll < 90) {
      yield { route: 'GET /api/products/{id}', method: 'GET', path: `/api/products/${popular(SEED_COUNTS.products)}` };
    } else if (roll < 96) {
      yield { route: 'GET /api/health', method: 'GET', path: '/api/health' };
    } else {
      const items = Array.from({ length: int(1, 3) }, () => ({ productId: popular(SEED_COUNTS.products), quantity: int(1, 3) }));
      const body = JSON.stringify({ userId: popular(SEED_COUNTS.users), items });
      yield { route: 'POST /api/orders', method: 'POST', path: '/api/orders', body };
    }
  }
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\]|0\.0\.0\.0|\[::\])$/i;

function loopbackBase(tapUrl: string): URL {
  let url: URL;
  try {
    url = new URL(tapUrl);
  } catch (cause) {
    throw new TypeError(`tap URL is not a URL: ${tapUrl}`, { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`tap URL must be http(s): ${tapUrl}`);
  if (!LOOPBACK.test(url.hostname)) throw new RangeError(`demo traffic goes to a loopback tap only, not ${url.hostname}`);
  return url;
}

function boundedInteger(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}
