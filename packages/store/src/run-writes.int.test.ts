import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@shadowdiff/testkit';
import { changeRunRules, closeRun, createRun, updateRun } from './run-writes.ts';
import { clearTriage, listTriage, setTriage } from './triage.ts';

describe('run writes and triage', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(inject('pgAdminUrl'));
  });
  afterAll(() => db.drop());

  it('creates a run once per name, describes and closes it', async () => {
    const run = await createRun(db.pool, 'r1', { primaryLabel: 'v1', thresholds: { maxDifferenceRate: 0.1 } });
    expect(run).toMatchObject({ name: 'r1', primaryLabel: 'v1', candidateLabel: null, rules: [], thresholds: { maxDifferenceRate: 0.1 } });
    expect(await createRun(db.pool, 'r1', {})).toBeUndefined();
    const updated = await updateRun(db.pool, run!.id, { candidateLabel: 'v2', primaryLabel: null });
    expect(updated).toMatchObject({ primaryLabel: null, candidateLabel: 'v2', thresholds: { maxDifferenceRate: 0.1 } });
    const closed = await closeRun(db.pool, run!.id);
    const again = await closeRun(db.pool, run!.id);
    expect(again!.closedAt).toBe(closed!.closedAt);
  });

  it('keeps every rule when people add rules at the same time', async () => {
    const run = await createRun(db.pool, 'r2', {});
    await Promise.all(
      Array.from({ length: 8 }, (_, i) => changeRunRules(db.pool, run!.id, (rules) => [...rules, { name: `rule-${i}`, kind: 'ignoreField', fields: ['body.x'] }])),
    );
    const rules = await changeRunRules(db.pool, run!.id, (current) => current);
    expect(rules).toHaveLength(8);
    await expect(changeRunRules(db.pool, run!.id, () => { throw new Error('refused'); })).rejects.toThrow('refused');
    expect(await changeRunRules(db.pool, run!.id, (current) => current)).toHaveLength(8);
    expect(await changeRunRules(db.pool, '00000000-0000-0000-0000-000000000000', (c) => c)).toBeUndefined();
  });

  it('marks, re-marks and clears a field', async () => {
    const run = await createRun(db.pool, 'r3', {});
    await setTriage(db.pool, run!.id, { route: 'GET /a', field: 'body.x', state: 'noise', reason: 'clock' });
    const again = await setTriage(db.pool, run!.id, { route: 'GET /a', field: 'body.x', state: 'expected', reason: 'renamed' });
    expect(again).toMatchObject({ state: 'expected', reason: 'renamed' });
    expect(await listTriage(db.pool, run!.id)).toHaveLength(1);
    expect(await clearTriage(db.pool, run!.id, 'GET /a', 'body.x')).toBe(true);
    expect(await clearTriage(db.pool, run!.id, 'GET /a', 'body.x')).toBe(false);
  });
});
