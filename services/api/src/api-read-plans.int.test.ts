import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@shadowdiff/testkit';
import type { Pool } from '@shadowdiff/store';
import { seedExchanges, startTestApi, type TestApi } from '../test/seed.ts';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** The real pool, with every query it runs written down. */
function recordingPool(pool: Pool, seen: { text: string; values: unknown[] }[]): Pool {
  return new Proxy(pool, {
    get(target, property, receiver) {
      if (property !== 'query') return Reflect.get(target, property, receiver);
      return (text: unknown, values?: unknown[]) => {
        if (typeof text === 'string') seen.push({ text, values: values ?? [] });
        return (target.query as (t: unknown, v?: unknown[]) => unknown)(text, values);
      };
    },
  });
}

/** Plan nodes that read `relation` or one of its partitions (`exchanges_p20261201`, `exchanges_default`). */
const nodesOn = (node: PlanNode, relation: string): PlanNode[] => [
  ...(node['Relation Name'] !== undefined && new RegExp(`^${relation}(_p\\d{8}|_default)?$`).test(node['Relation Name']) ? [node] : []),
  ...(node.Plans ?? []).flatMap((child) => nodesOn(child, relation)),
];

/** Plan nodes that read `relation` (or a partition) with no Limit above them: reads that take every matching row. */
const unboundedOn = (node: PlanNode, relation: string): PlanNode[] =>
  node['Node Type'] === 'Limit' ? [] : [...nodesOn({ ...node, Plans: [] }, relation), ...(node.Plans ?? []).flatMap((child) => unboundedOn(child, relation))];

describe("API reads and a run's exchanges", () => {
  let db: TestDatabase;
  let api: TestApi;
  const seen: { text: string; values: unknown[] }[] = [];

  beforeAll(async () => {
    db = await createTestDatabase(inject('pgAdminUrl'));
    api = await startTestApi(recordingPool(db.pool, seen));
    const run = (await api.call('POST', '/runs', { name: 'long' })).body.id;
    await seedExchanges(db.pool, run, 400, (i) => ({
      route: i % 2 ? 'GET /a/{id}' : 'GET /b/{id}',
      withSecondary: true,
      secondaryKind: i % 3 ? 'secondary' : 'control',
      candidateStatus: i % 25 === 0 ? 503 : 200,
      candidateLatencyMs: 5 + (i % 17),
      differences: i % 4 ? [] : [{ field: 'body.price', primaryValue: 1, otherValue: 2 }],
    }));
    await db.pool.query('ANALYZE');
  });
  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  /** Plans of the SELECTs an API call ran, with sequential scans off so any read of exchanges shows the index it would walk. */
  async function plansOf(call: () => Promise<unknown>): Promise<{ text: string; plan: PlanNode }[]> {
    seen.length = 0;
    await call();
    const client = await db.pool.connect();
    try {
      await client.query('SET enable_seqscan = off');
      const selects = seen.filter((q) => /^\s*(SELECT|WITH)\b/i.test(q.text));
      const plans = [];
      for (const q of selects) {
        const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${q.text}`, q.values);
        plans.push({ text: q.text, plan: rows[0]!['QUERY PLAN'][0].Plan });
      }
      return plans;
    } finally {
      client.release();
    }
  }

  it('answers the runs list, endpoints, fields, differences, report and gate without reading exchanges', async () => {
    const first = await api.call('GET', '/runs/long/differences?limit=5');
    const reads: [string, () => Promise<unknown>][] = [
      ['runs', () => api.call('GET', '/runs')],
      ['endpoints', () => api.call('GET', '/runs/long/endpoints')],
      ['fields', () => api.call('GET', `/runs/long/endpoints/${encodeURIComponent('GET /a/{id}')}/fields`)],
      ['differences', () => api.call('GET', '/runs/long/differences?limit=5')],
      ['differences, deep', () => api.call('GET', `/runs/long/differences?limit=5&cursor=${first.body.nextCursor}`)],
      ['report', () => api.call('GET', '/runs/long/report')],
      ['report html', () => api.call('GET', '/runs/long/report?format=html')],
      ['gate', () => api.call('POST', '/runs/long/gate', {})],
    ];
    for (const [name, call] of reads) {
      const plans = await plansOf(call);
      expect(plans.length, name).toBeGreaterThan(0);
      for (const { text, plan } of plans) expect(nodesOn(plan, 'exchanges'), `${name}: ${text}`).toEqual([]);
    }
  });

  it('reads at most a page of differences per field in the report and the gate, whatever the run holds', async () => {
    const reads: [string, () => Promise<unknown>][] = [
      ['endpoints', () => api.call('GET', '/runs/long/endpoints')],
      ['report', () => api.call('GET', '/runs/long/report')],
      ['gate', () => api.call('POST', '/runs/long/gate', {})],
    ];
    for (const [name, call] of reads) {
      for (const { text, plan } of await plansOf(call)) expect(unboundedOn(plan, 'differences'), `${name}: ${text}`).toEqual([]);
    }
    // The findings' samples: a walk of the index of reported candidate differences, field by field
    // (read by an API that has not read the run yet: this one keeps what it read).
    const fresh = await startTestApi(recordingPool(db.pool, seen));
    try {
      const report = await plansOf(() => fresh.call('GET', '/runs/long/report'));
      const samples = report.filter(({ plan }) => nodesOn(plan, 'differences').some((n) => /run_id_route_field_id_idx$/.test(n['Index Name'] ?? '')));
      expect(samples.length).toBe(1);
    } finally {
      await fresh.close();
    }
  });

  it('reads one exchange by its id alone', async () => {
    const { exchangeId } = (await api.call('GET', '/runs/long/differences?limit=1')).body.items[0];
    const plans = await plansOf(() => api.call('GET', `/exchanges/${exchangeId}`));
    const scans = plans.flatMap(({ plan }) => nodesOn(plan, 'exchanges'));
    expect(scans.length).toBeGreaterThan(0);
    // One day's partition, through its primary key: the day comes from the id.
    expect(scans).toHaveLength(1);
    expect(scans[0]!['Index Name']).toMatch(/^exchanges_(p\d{8}|default)_pkey$/);
  });

  it('reads a run at rest once: later reports take its latency sketches and the inputs of its findings from what they kept', async () => {
    const touched = (): string[] => seen.map((q) => q.text).filter((t) => /FROM latency_buckets|fields, exchanges FROM difference_signatures|CROSS JOIN LATERAL|pg_visible_in_snapshot\(tx/.test(t));
    const runId = (await api.call('GET', '/runs/long')).body.id as string;
    const first = await api.call('GET', '/runs/long/report');
    seen.length = 0;
    const again = await api.call('GET', '/runs/long/report');
    expect(touched()).toEqual([]);
    expect({ ...again.body, generatedAt: null, gate: { ...again.body.gate, evaluatedAt: null } }).toEqual({ ...first.body, generatedAt: null, gate: { ...first.body.gate, evaluatedAt: null } });
    // Ten more exchanges stored, slow ones: the signatures are read again, the sketches' buckets and
    // the differences changed since are read (not every bucket, not every field's samples), and show it.
    await seedExchanges(db.pool, runId, 10, () => ({ route: 'GET /a/{id}', primaryLatencyMs: 900, differences: [{ field: 'body.name', primaryValue: 'a', otherValue: 'b' }] }));
    seen.length = 0;
    const grown = await api.call('GET', '/runs/long/report');
    expect(touched()).toHaveLength(3);
    expect(touched().filter((t) => /array_agg\(bucket\)|FROM field_stats f/.test(t))).toEqual([]);
    expect(grown.body.overall.exchanges).toBe(first.body.overall.exchanges + 10);
    expect(grown.body.overall.latency.primary.p99).toBeGreaterThan(first.body.overall.latency.primary.p99);
    expect(JSON.stringify(grown.body.findings)).toContain('body.name');
  });
});
