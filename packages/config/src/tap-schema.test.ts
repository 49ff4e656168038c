import { describe, expect, it } from 'vitest';
import { diffSchema } from './diff-schema.ts';
import { DEFAULT_REDACTED_QUERY_PARAMS, tapSchema } from './tap-schema.ts';

describe('tap settings', () => {
  it('default to inline mirroring with metrics on 9464 and the built-in redaction only', () => {
    const tap = tapSchema.parse({});
    expect(tap).toMatchObject({ mode: 'inline', adminPort: 9464, adminHost: '127.0.0.1', mirrorPercentage: 100, mirrorUnsafeMethods: false });
    expect(tap.routes).toEqual({ include: [], exclude: [], allowUnsafe: [] });
    expect(tap.redaction).toEqual({ headers: [], queryParams: [...DEFAULT_REDACTED_QUERY_PARAMS], bodyPaths: [] });
    expect(tap.recorder).toEqual({ side: 'auto', joinWindowMs: 10_000 });
  });

  it('accept route patterns, JSON paths and sample keys in their documented forms', () => {
    const tap = tapSchema.parse({
      sampleKey: 'header:x-user-id',
      routes: { include: ['/api/**'], exclude: ['GET /api/health', '* /admin/*'], allowUnsafe: ['POST /api/search'] },
      redaction: { bodyPaths: ['$.password', '$.card.number', '$.items[*].token', '$..secret', "$['odd key']"], key: 'k'.repeat(16) },
      recorder: { upstream: 'http://127.0.0.1:8000', side: 'candidate', joinWindowMs: 500 },
      adminPort: 0,
    });
    expect(tap.recorder.side).toBe('candidate');
  });

  it('name every bad value', () => {
    const result = tapSchema.safeParse({
      sampleKey: 'cookie:x',
      routes: { include: ['api/**'] },
      redaction: { bodyPaths: ['password'], key: 'short' },
      recorder: { side: 'mirror' },
      mode: 'sidecar',
    });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((i) => i.path.join('.')).sort();
    expect(paths).toEqual(['mode', 'recorder.side', 'redaction.bodyPaths.0', 'redaction.key', 'routes.include.0', 'sampleKey']);
  });

  it('refuse route patterns with a query or fragment, which could never match the path they are tried on', () => {
    expect(tapSchema.safeParse({ routes: { include: ['/search?q=*'] } }).success).toBe(false);
    expect(tapSchema.safeParse({ routes: { exclude: ['GET /page#top'] } }).success).toBe(false);
    expect(diffSchema.safeParse({ routes: ['/search?q=:term'] }).success).toBe(false);
    expect(diffSchema.safeParse({ routes: ['/users/:id/orders'] }).success).toBe(true);
  });
});
