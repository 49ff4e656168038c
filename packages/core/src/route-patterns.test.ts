import { describe, expect, it } from 'vitest';
import { compileRouteGlob } from './route-patterns.ts';

describe('compileRouteGlob', () => {
  it.each([
    ['/users/*', 'GET', '/users/42', true],
    ['/users/*', 'GET', '/users/42/', true],
    ['/users/*', 'GET', '/users/42/orders', false],
    ['/api/**', 'POST', '/api/a/b/c', true],
    ['/api/**', 'GET', '/api', true],
    ['/api/**', 'GET', '/apix', false],
    ['/a/**/z', 'GET', '/a/z', true],
    ['/a/**/z', 'GET', '/a/b/c/z', true],
    ['GET /users/*', 'POST', '/users/1', false],
    ['* /files/*.png', 'GET', '/files/a.png', true],
    ['/files/*.png', 'GET', '/files/apng', false],
    ['/users/:id/orders', 'GET', '/users/7/orders', true],
    ['/users/:id/orders', 'GET', '/users//orders', false],
    ['/price/(a+b)', 'GET', '/price/(a+b)', true],
    ['/price/(a+b)', 'GET', '/price/aab', false],
  ])('%s matches %s %s: %s', (pattern, method, path, expected) => {
    expect(compileRouteGlob(pattern).matches(method, path)).toBe(expected);
  });

  it('matches route strings too, any method when none is named', () => {
    expect(compileRouteGlob('GET /users/*').route.test('GET /users/{id}')).toBe(true);
    expect(compileRouteGlob('/users/*').route.test('DELETE /users/{id}')).toBe(true);
    expect(compileRouteGlob('* /users/{id}').route.test('POST /users/{id}')).toBe(true);
    expect(compileRouteGlob('GET /users/{id}').route.test('PUT /users/{id}')).toBe(false);
  });

  it('lets a trailing slash count when asked to', () => {
    expect(compileRouteGlob('GET /users').route.test('GET /users/')).toBe(true);
    expect(compileRouteGlob('GET /users', { trailingSlash: 'exact' }).route.test('GET /users/')).toBe(false);
    expect(compileRouteGlob('/users', { trailingSlash: 'exact' }).matches('GET', '/users')).toBe(true);
  });

  it('templates :name segments and keeps the rest', () => {
    expect(compileRouteGlob('/users/:id/files/*/**')).toMatchObject({ method: undefined, template: '/users/{id}/files/*/**' });
    expect(compileRouteGlob('GET /users/:id')).toMatchObject({ method: 'GET', template: '/users/{id}' });
  });

  it('compiles any string', () => {
    for (const pattern of ['', ' ', 'users', '(', '[a-', '\\', 'get /x', '/**/**/**']) expect(() => compileRouteGlob(pattern)).not.toThrow();
  });
});
