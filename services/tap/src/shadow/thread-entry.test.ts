import { describe, expect, it } from 'vitest';
import { siblingModule } from './thread-entry.ts';

describe('siblingModule', () => {
  it('takes the calling module’s extension, so sources and compiled files each find their own', () => {
    expect(siblingModule('file:///app/src/shadow/shadow-thread.ts', './shadow-thread-worker').href).toBe('file:///app/src/shadow/shadow-thread-worker.ts');
    expect(siblingModule('file:///app/dist/shadow/shadow-thread.js', './shadow-thread-worker').href).toBe('file:///app/dist/shadow/shadow-thread-worker.js');
  });

  it('resolves paths relative to the calling module', () => {
    expect(siblingModule('file:///app/src/shadow/a.int.test.ts', '../../test/fixture').href).toBe('file:///app/test/fixture.ts');
  });
});
