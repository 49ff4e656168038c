import { describe, expect, it } from 'vitest';
import { classifyFieldAtRead, type FieldInput } from './classify.ts';
import { createFieldIgnorer } from './read-rules.ts';

const input = (over: Partial<FieldInput>): FieldInput => ({
  field: 'body.x',
  routeExchanges: 100,
  secondaryExchanges: 100,
  candidate: { differences: 50, ignored: 0 },
  secondary: { differences: 0, ignored: 0 },
  rule: undefined,
  triage: undefined,
  ...over,
});

describe('classifyFieldAtRead', () => {
  it('is real when the candidate differs far more often than the secondary', () => {
    expect(classifyFieldAtRead(input({}), {})).toMatchObject({ verdict: 'real', basis: 'secondary', countsAsReal: true });
  });

  it('is noise when the secondary differs as often', () => {
    expect(classifyFieldAtRead(input({ secondary: { differences: 50, ignored: 0 } }), {})).toMatchObject({ verdict: 'noise', countsAsReal: false });
  });

  it('lets a rule, then a triage mark, decide before the statistics', () => {
    const triage = { route: 'r', field: 'body.x', state: 'expected' as const, reason: 'renamed on purpose', createdAt: '', updatedAt: '' };
    expect(classifyFieldAtRead(input({ rule: 'ignore-x', triage }), {})).toMatchObject({ verdict: 'ignored', rule: 'ignore-x' });
    expect(classifyFieldAtRead(input({ triage }), {})).toMatchObject({ verdict: 'expected', basis: 'triage', reason: 'renamed on purpose', countsAsReal: false });
  });

  it('never calls a status difference noise, and stays real without a secondary', () => {
    expect(classifyFieldAtRead(input({ field: 'status', secondary: { differences: 50, ignored: 0 } }), {})).toMatchObject({ verdict: 'real', basis: 'never_noise' });
    expect(classifyFieldAtRead(input({ secondaryExchanges: 0 }), {})).toMatchObject({ verdict: 'real', basis: 'no_secondary' });
  });

  it('leaves a field undecided, not real, while the evidence does not decide', () => {
    const few = classifyFieldAtRead(input({ routeExchanges: 4, secondaryExchanges: 4, candidate: { differences: 2, ignored: 0 }, secondary: { differences: 1, ignored: 0 } }), {});
    expect(few).toMatchObject({ verdict: 'insufficient_data', basis: 'secondary', countsAsReal: false });
  });

  it('without a secondary, leaves values that all looked volatile undecided, and calls the others real', () => {
    const volatile = classifyFieldAtRead(input({ secondaryExchanges: 0, candidate: { differences: 50, ignored: 0, suspected: 50 } }), {});
    expect(volatile).toMatchObject({ verdict: 'insufficient_data', basis: 'no_secondary', countsAsReal: false });
    const someStable = classifyFieldAtRead(input({ secondaryExchanges: 0, candidate: { differences: 50, ignored: 0, suspected: 30 } }), {});
    expect(someStable).toMatchObject({ verdict: 'real', basis: 'no_secondary', countsAsReal: true });
  });
});

describe('createFieldIgnorer', () => {
  it('hides whole fields and headers by the first matching rule, scoped by route glob', () => {
    const ignorer = createFieldIgnorer([
      { name: 'ids', kind: 'ignoreField', fields: ['body.**.id'], route: 'GET /users/*' },
      { name: 'traces', kind: 'ignoreHeader', headers: ['X-Trace-*'] },
      { name: 'cents', kind: 'numericTolerance', field: 'body.total', absolute: 0.01 },
      { kind: 'ignoreField', fields: ['body.nameless'] },
    ]);
    expect(ignorer.ruleFor('GET /users/{id}', 'body.items[*].id')).toBe('ids');
    expect(ignorer.ruleFor('GET /orders/{id}', 'body.items[*].id')).toBeUndefined();
    expect(ignorer.ruleFor('GET /orders/{id}', 'header.x-trace-id')).toBe('traces');
    expect(ignorer.ruleFor('GET /orders/{id}', 'body.total')).toBeUndefined();
    expect(ignorer.ruleFor('GET /orders/{id}', 'body.nameless')).toBeUndefined();
  });
});
