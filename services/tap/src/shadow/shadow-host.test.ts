import { describe, expect, it } from 'vitest';
import { shadowHost } from './shadow-jobs.ts';

describe('shadowHost', () => {
  it.each([
    ['orders', 'orders-shadow'],
    ['orders:8000', 'orders-shadow:8000'],
    ['orders.default.svc.cluster.local:8000', 'orders.default.svc.cluster.local-shadow:8000'],
    ['127.0.0.1:8080', '127.0.0.1-shadow:8080'],
    ['[::1]:8080', '[::1]-shadow:8080'],
    ['[::1]', '[::1]-shadow'],
  ])('%s → %s', (host, expected) => {
    expect(shadowHost(host)).toBe(expected);
  });
});
