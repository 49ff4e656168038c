import { describe, expect, it } from 'vitest';
import { compileRoutePattern, templateRoute } from './route-templates.ts';

describe('templateRoute', () => {
  it.each([
    ['GET', '/users/42', 'GET /users/{id}'],
    ['get', '/users/42/orders?page=2', 'GET /users/{id}/orders'],
    ['GET', '/orders/3f2b8c1e-9a4d-4e1f-8b2a-1c2d3e4f5a6b', 'GET /orders/{id}'],
    ['GET', '/blobs/deadbeefcafe1234', 'GET /blobs/{id}'],
    ['GET', '/sessions/AbC123xyz987QWE456rty00', 'GET /sessions/{id}'],
    ['GET', '/health', 'GET /health'],
    ['GET', '/', 'GET /'],
    ['GET', '/products/blue-widget', 'GET /products/blue-widget'],
  ])('%s %s → %s', (method, url, expected) => {
    expect(templateRoute(method, url)).toBe(expected);
  });

  it('prefers a configured pattern', () => {
    const patterns = [compileRoutePattern('/products/:slug')];
    expect(templateRoute('GET', '/products/blue-widget?x=1', patterns)).toBe('GET /products/{slug}');
    expect(templateRoute('GET', '/users/7', patterns)).toBe('GET /users/{id}');
  });
});
