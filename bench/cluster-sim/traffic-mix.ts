/** The simulation's request mix: which request the n-th one of a load generator is. */

/** One request of the mix. */
export interface MixRequest {
  /** What the request stands for in the figures. */
  kind: string;
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

/** `tap.maxBodyBytes` in the simulation: the large orders' bodies are beyond it, so they are not mirrored. */
export const SIM_MAX_BODY_BYTES = 16_384;

const order = (n: number, items: number): string =>
  JSON.stringify({ customer: `c-${n % 977}`, items: Array.from({ length: items }, (_, k) => ({ sku: `sku-${(n + k) % 311}`, qty: 1 + (k % 3) })) });

/**
 * The n-th request of load generator `tag`. Shares: 40% GET /items/:id, 20% GET /users/:id/profile,
 * 10% GET /search, 15% POST /orders (one in thirty of them larger than the body cap), 5% POST
 * /admin/reindex (an unsafe method no rule allows), 5% GET /healthz (excluded), 5% GET
 * /reports/:id (where the candidate fails: resets and timeouts).
 */
export function requestOf(n: number, tag: string): MixRequest {
  const sid = `sid=${tag}-${n}`;
  const slot = n % 100;
  if (slot < 40) return { kind: 'GET /items', method: 'GET', path: `/items/${n % 500}?${sid}` };
  if (slot < 60) return { kind: 'GET /users', method: 'GET', path: `/users/${n % 300}/profile?${sid}` };
  if (slot < 70) return { kind: 'GET /search', method: 'GET', path: `/search?q=term${n % 20}&${sid}` };
  if (slot < 85) {
    const large = slot === 70 && Math.floor(n / 100) % 2 === 0;
    return { kind: large ? 'POST /orders (too large)' : 'POST /orders', method: 'POST', path: `/orders?${sid}`, body: order(n, large ? 800 : 1 + (n % 8)) };
  }
  if (slot < 90) return { kind: 'POST /admin/reindex', method: 'POST', path: `/admin/reindex?${sid}`, body: '{"all":true}' };
  if (slot < 95) return { kind: 'GET /healthz', method: 'GET', path: `/healthz?${sid}` };
  return { kind: 'GET /reports', method: 'GET', path: `/reports/${n % 50}?${sid}` };
}
