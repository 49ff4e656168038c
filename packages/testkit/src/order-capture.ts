import { newCaptureId, type Capture } from '@shadowdiff/core';

const json = (value: unknown) => {
  const text = JSON.stringify(value);
  return { base64: Buffer.from(text).toString('base64'), size: Buffer.byteLength(text), truncated: false };
};

/**
 * A realistic capture for worker tests and benchmarks: an order document of about `bytes`
 * bytes; with `differs`, the candidate's total and one item's price are off.
 */
export function orderCapture(run: string, options: { differs?: boolean; bytes?: number; id?: string } = {}): Capture {
  const items = Math.max(1, Math.round((options.bytes ?? 2048) / 120));
  const order = {
    id: 1000 + (Math.random() * 1e6).toFixed(0),
    customer: { id: 42, name: 'Ada Lovelace', email: 'ada@example.com' },
    status: 'shipped',
    items: Array.from({ length: items }, (_, i) => ({ sku: `SKU-${i}`, name: `Item number ${i}`, qty: 1 + (i % 3), price: 9.99 + i })),
    total: 123.45,
  };
  const candidate = options.differs ? { ...order, total: 123.46, items: order.items.map((it, i) => (i === 0 ? { ...it, price: it.price + 1 } : it)) } : order;
  const headers = { 'content-type': 'application/json' };
  return {
    id: options.id ?? newCaptureId(),
    run,
    capturedAt: new Date().toISOString(),
    request: { method: 'GET', url: `/orders/${order.id}`, headers: { host: 'orders' }, body: { base64: '', size: 0, truncated: false } },
    primary: { outcome: 'ok', status: 200, headers, body: json(order), latencyMs: 2.5 },
    candidate: { outcome: 'ok', status: 200, headers, body: json(candidate), latencyMs: 3.1 },
  };
}
