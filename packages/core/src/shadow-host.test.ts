import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isShadowHost, shadowHost } from './shadow-host.ts';

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

describe('isShadowHost', () => {
  it.each([
    ['orders-shadow', true],
    ['orders-shadow:8000', true],
    // The suffix after the port, as some meshes write it.
    ['orders:8000-shadow', true],
    ['[::1]-shadow:8080', true],
    ['Orders-SHADOW:8000', true],
    ['orders', false],
    ['orders:8000', false],
    ['shadow-orders', false],
    ['orders-shadowy:8000', false],
    ['', false],
    [undefined, false],
  ])('%s → %s', (host, expected) => {
    expect(isShadowHost(host)).toBe(expected);
  });

  it('recognises every Host the tap marks, and no Host it leaves unmarked', () => {
    const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/).filter((l) => !l.endsWith('-shadow'));
    const host = fc.tuple(fc.array(label, { minLength: 1, maxLength: 4 }), fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }));
    fc.assert(
      fc.property(host, ([labels, port]) => {
        const plain = `${labels.join('.')}${port === undefined ? '' : `:${port}`}`;
        expect(isShadowHost(plain)).toBe(false);
        expect(isShadowHost(shadowHost(plain))).toBe(true);
      }),
    );
  });
});
