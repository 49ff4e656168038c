import { describe, expect, it } from 'vitest';
import { createMirrorPolicy, type PolicyRequest } from './mirror-policy.ts';
import { compileRoute } from './route-matcher.ts';
import { hashKey, sampledByKey } from './sampling.ts';

const request = (method: string, url: string, headers: Record<string, string> = {}): PolicyRequest => ({ method, url, header: (name) => headers[name] });

describe('route patterns', () => {
  it('match one segment with *, any depth with **, a method when named, never the query', () => {
    expect(compileRoute('/users/*')('GET', '/users/42')).toBe(true);
    expect(compileRoute('/users/*')('GET', '/users/42/orders')).toBe(false);
    expect(compileRoute('/api/**')('POST', '/api/a/b/c')).toBe(true);
    expect(compileRoute('/api/**')('GET', '/api')).toBe(true);
    expect(compileRoute('/api/**')('GET', '/apix')).toBe(false);
    expect(compileRoute('GET /users/*')('POST', '/users/1')).toBe(false);
    expect(compileRoute('* /files/*.png')('GET', '/files/a.png')).toBe(true);
    expect(compileRoute('/files/*.png')('GET', '/files/apng')).toBe(false);
  });
});

describe('mirror policy', () => {
  it('does not mirror unsafe methods unless allowed globally or for the route', () => {
    const strict = createMirrorPolicy({ percentage: 100, mirrorUnsafeMethods: false, allowUnsafe: ['POST /api/search'] });
    expect(strict(request('GET', '/api/orders'))).toBe('mirror');
    expect(strict(request('POST', '/api/orders'))).toBe('unsafe_method');
    expect(strict(request('DELETE', '/api/orders/1'))).toBe('unsafe_method');
    expect(strict(request('POST', '/api/search?q=1'))).toBe('mirror');
    const open = createMirrorPolicy({ percentage: 100, mirrorUnsafeMethods: true });
    expect(open(request('PATCH', '/x'))).toBe('mirror');
  });

  it('mirrors only included routes, never excluded ones', () => {
    const decide = createMirrorPolicy({ percentage: 100, mirrorUnsafeMethods: false, include: ['/api/**'], exclude: ['/api/admin/**', 'GET /api/health'] });
    expect(decide(request('GET', '/api/users/1'))).toBe('mirror');
    expect(decide(request('GET', '/static/app.js'))).toBe('route_excluded');
    expect(decide(request('GET', '/api/admin/users'))).toBe('route_excluded');
    expect(decide(request('GET', '/api/health?x'))).toBe('route_excluded');
  });

  it('samples 10% at random within ±1.5 points over 5000 requests (about 5 standard deviations)', () => {
    const decide = createMirrorPolicy({ percentage: 10, mirrorUnsafeMethods: false });
    let mirrored = 0;
    for (let i = 0; i < 5000; i++) if (decide(request('GET', `/x/${i}`)) === 'mirror') mirrored++;
    expect(Math.abs(mirrored / 5000 - 0.1)).toBeLessThan(0.015);
    expect(createMirrorPolicy({ percentage: 0, mirrorUnsafeMethods: true })(request('GET', '/'))).toBe('sampled_out');
  });

  it('samples consistently on a header: a key is all in or all out, on every tap instance', () => {
    const a = createMirrorPolicy({ percentage: 10, mirrorUnsafeMethods: false, sampleKey: 'header:X-User-Id' });
    const b = createMirrorPolicy({ percentage: 10, mirrorUnsafeMethods: false, sampleKey: 'header:x-user-id' });
    let users = 0;
    for (let u = 0; u < 5000; u++) {
      const headers = { 'x-user-id': `user-${u}` };
      const first = a(request('GET', `/orders/${u}`, headers));
      for (let i = 0; i < 4; i++) expect(b(request('GET', `/items/${i}`, headers))).toBe(first);
      if (first === 'mirror') users++;
    }
    expect(Math.abs(users / 5000 - 0.1)).toBeLessThan(0.015);
  });

  it('samples consistently on a query parameter, and at random when the key is absent', () => {
    const decide = createMirrorPolicy({ percentage: 50, mirrorUnsafeMethods: false, sampleKey: 'query:user' });
    for (let u = 0; u < 200; u++) {
      const first = decide(request('GET', `/a?user=${u}`));
      expect(decide(request('GET', `/b?x=1&user=${u}`))).toBe(first);
    }
    const outcomes = new Set<string>();
    for (let i = 0; i < 100; i++) outcomes.add(decide(request('GET', '/no-key')));
    expect(outcomes).toEqual(new Set(['mirror', 'sampled_out']));
  });

  it('keyed sampling is a pure function of the value: stable across processes and releases', () => {
    expect(hashKey('user-42')).toBe(hashKey('user-42'));
    expect(hashKey('')).toBe(hashKey(''));
    expect(sampledByKey('user-42', 100)).toBe(true);
    expect(sampledByKey('user-42', 0)).toBe(false);
    // Pinned: a change here would move users between mirrored and not across a tap upgrade.
    expect(hashKey('user-42')).toBe(2083131798);
  });
});
