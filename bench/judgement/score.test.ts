import { describe, expect, it } from 'vitest';
import type { Checkpoint, RouteObservation } from './drive.ts';
import { answer, labelOf, routeOf, SCENARIOS, type Scenario } from './scenarios.ts';
import { scoreConfiguration, scoreScenario, trueLatency } from './score.ts';

const scenario = (name: string): Scenario => SCENARIOS.find((s) => s.name === name)!;

function observation(fields: Record<string, string>, gate: { verdict: string; failed?: string[] } = { verdict: 'pass' }, exchanges = 300): RouteObservation {
  return {
    exchanges,
    fields: Object.entries(fields).map(([field, verdict]) => ({ field, verdict })),
    gate: { verdict: gate.verdict, failed: gate.failed ?? [], latencyJudged: true },
    latency: { basis: 'secondary', samples: exchanges, p50: 1, p99: 1, referenceP99: 20, candidateP99: 20 },
  };
}

function checkpoints(s: Scenario, steps: [number, RouteObservation][]): Checkpoint[] {
  return steps.map(([target, o]) => ({ target, routes: { [routeOf(s)]: { ...o, exchanges: target } } }));
}

describe('the corpus', () => {
  it('labels a field by the first prefix that is the field or its parent, noise first', () => {
    const rename = scenario('rename');
    expect(labelOf(rename, 'body.customerName')).toBe('real');
    expect(labelOf(rename, 'body.customer_name')).toBe('real');
    expect(labelOf(rename, 'body.customerNameX')).toBe('unlabelled');
    expect(labelOf(scenario('array-order'), 'body.items[*].sku')).toBe('real');
    expect(labelOf(scenario('status-500-2'), 'body.generatedAt')).toBe('noise');
    expect(labelOf(scenario('status-500-2'), 'body.total')).toBe('real');
  });

  it('injects a regression in exactly its share of every hundred requests, on the candidate only', () => {
    const changed = (name: string, role: 'candidate' | 'secondary'): number =>
      Array.from({ length: 300 }, (_, id) => answer(scenario(name), role, id)).filter((a) => a.body.state === 'closed' || a.status === 500).length;
    expect(changed('change-2', 'candidate')).toBe(6);
    expect(changed('change-1', 'candidate')).toBe(3);
    expect(changed('status-500-5', 'candidate')).toBe(15);
    expect(changed('change-20', 'secondary')).toBe(0);
  });

  it('knows the true latency ratios of its services', () => {
    expect(trueLatency(scenario('latency-same'))).toMatchObject({ ratioP99: 1, slower: false });
    expect(trueLatency(scenario('latency-20'))!.slower).toBe(false);
    expect(trueLatency(scenario('latency-100'))!.ratioP99).toBeCloseTo(2, 5);
    const tail = trueLatency(scenario('heavy-tail'))!;
    expect(tail.ratioP50).toBeLessThan(1.1);
    expect(tail.ratioP99).toBeGreaterThan(2);
    expect(tail.slower).toBe(true);
  });
});

describe('scoring a route', () => {
  it('counts a regression from the checkpoint after which it stayed called real', () => {
    const s = scenario('change-5');
    const score = scoreScenario(
      s,
      checkpoints(s, [
        [10, observation({ 'body.state': 'real', 'body.requestId': 'insufficient_data' }, { verdict: 'fail', failed: ['difference_rate'] })],
        [20, observation({ 'body.state': 'insufficient_data', 'body.requestId': 'noise' }, { verdict: 'fail', failed: ['difference_rate'] })],
        [50, observation({ 'body.state': 'real', 'body.generatedAt': 'noise' }, { verdict: 'fail', failed: ['difference_rate'] })],
        [100, observation({ 'body.state': 'real', 'body.generatedAt': 'noise' }, { verdict: 'fail', failed: ['difference_rate'] })],
      ]),
    );
    expect(score).toMatchObject({ detected: true, right: true, exchangesToRight: 50, exchangesToAlwaysNoise: 20, noiseCalledReal: 0 });
    expect(score.gate).toMatchObject({ shouldFail: true, right: true });
  });

  it('does not count a regression as found when a noise field is called real with it', () => {
    const s = scenario('change-100');
    const score = scoreScenario(s, checkpoints(s, [[300, observation({ 'body.state': 'real', 'body.requestId': 'real' }, { verdict: 'fail', failed: ['difference_rate'] })]]));
    expect(score).toMatchObject({ detected: true, right: false, exchangesToRight: null, noiseCalledReal: 1, noiseFields: 1 });
  });

  it('wants every noise field decided: undecided is not right, and a gate failing a noise route is wrong', () => {
    const s = scenario('volatile-30');
    const score = scoreScenario(s, checkpoints(s, [[300, observation({ 'body.cache': 'insufficient_data', 'body.generatedAt': 'noise' }, { verdict: 'fail', failed: ['difference_rate'] })]]));
    expect(score).toMatchObject({ right: false, noiseUndecided: 1, noiseCalledReal: 0 });
    expect(score.gate).toMatchObject({ shouldFail: false, right: false });
  });

  it('judges latency routes by the gate: a doubled p99 must fail on latency, identical services must not', () => {
    const doubled = scenario('latency-100');
    const failed = scoreScenario(doubled, checkpoints(doubled, [[2000, observation({}, { verdict: 'fail', failed: ['p99_latency_ratio'] })]]));
    expect(failed).toMatchObject({ right: true, gate: { right: true } });
    const passed = scoreScenario(doubled, checkpoints(doubled, [[2000, observation({}, { verdict: 'pass' })]]));
    expect(passed).toMatchObject({ right: false, gate: { right: false } });
    const same = scenario('latency-same');
    expect(scoreScenario(same, checkpoints(same, [[2000, observation({}, { verdict: 'fail', failed: ['p99_latency_ratio'] })]]))).toMatchObject({ right: false });
  });
});

describe('scoring a configuration', () => {
  it('keeps regressions under 2% out of the headline recall, and sums noise over routes', () => {
    const scores = ['change-1', 'change-2', 'timestamps'].map((name) => {
      const s = scenario(name);
      const fields: Record<string, string> = name === 'timestamps' ? { 'body.updatedAt': 'real', 'body.epochMs': 'noise' } : { 'body.state': name === 'change-2' ? 'real' : 'insufficient_data' };
      return scoreScenario(s, checkpoints(s, [[300, observation(fields)]]));
    });
    const overall = scoreConfiguration(scores);
    expect(overall.recall2).toEqual({ detected: 1, of: 1 });
    expect(overall.recallAll).toEqual({ detected: 1, of: 2 });
    expect(overall.noise).toEqual({ calledReal: 1, undecided: 0, of: 2 });
  });
});
