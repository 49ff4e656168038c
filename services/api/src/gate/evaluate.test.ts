import { describe, expect, it } from 'vitest';
import type { RouteSummary, TrafficTotals } from '../analysis/route-summary.ts';
import { evaluateGate } from './evaluate.ts';
import { renderGateJunit } from './junit.ts';
import { mergeThresholds } from './thresholds.ts';

function totals(exchanges: number, differing = 0, p99 = [10, 10], basis: 'secondary' | 'control' | 'primary' = 'secondary', bounds?: { candidateLow: number; referenceHigh: number }): TrafficTotals {
  return {
    exchanges,
    differingExchanges: differing,
    differenceRate: exchanges ? differing / exchanges : 0,
    statusMismatches: 0,
    statusMismatchRate: 0,
    candidateErrors: 0,
    candidateErrorRate: 0,
    errors: { status5xx: 0, timeout: 0, refused: 0, other: 0 },
    secondaryExchanges: 0,
    latency: {
      basis,
      samples: exchanges,
      primary: { p50: p99[0]!, p95: p99[0]!, p99: p99[0]! },
      reference: { p50: p99[0]!, p95: p99[0]!, p99: p99[0]! },
      candidate: { p50: p99[1]!, p95: p99[1]!, p99: p99[1]! },
      ratio: { p50: p99[1]! / p99[0]!, p95: p99[1]! / p99[0]!, p99: p99[1]! / p99[0]! },
      p99Bounds: bounds ?? { candidateLow: p99[1]!, referenceHigh: p99[0]! },
    },
  };
}
const routeSummary = (route: string, exchanges: number, differing = 0, p99?: number[]): RouteSummary => ({
  route,
  ...totals(exchanges, differing, p99),
  fields: { real: 0, noise: 0, expected: 0, ignored: 0, insufficient_data: 0 },
});

describe('evaluateGate', () => {
  it('passes clean routes with enough exchanges', () => {
    const result = evaluateGate({ thresholds: mergeThresholds(), overall: totals(400), routes: [routeSummary('GET /a', 200), routeSummary('GET /b', 200)], newFields: null });
    expect(result.verdict).toBe('pass');
    expect(result.reasons).toEqual([]);
  });

  it('never lets a small sample pass as 0%: the upper bound is what is compared', () => {
    const thresholds = mergeThresholds({ minExchangesPerRoute: 0, maxRouteDifferenceRate: 0.1 });
    const result = evaluateGate({ thresholds, overall: totals(400), routes: [routeSummary('GET /a', 3)], newFields: null });
    const check = result.routes[0]!.checks.find((c) => c.check === 'difference_rate')!;
    expect(check.value).toBe(0);
    expect(check.passed).toBe(false);
    expect(check.upperBound).toBeGreaterThan(0.4);
  });

  it('ignores a slower candidate within the latency tolerance, fails beyond it', () => {
    const fast = evaluateGate({ thresholds: mergeThresholds(), overall: totals(400, 0, [1, 4]), routes: [], newFields: null });
    expect(fast.overall.checks.find((c) => c.check === 'p99_latency_ratio')!.passed).toBe(true);
    const slow = evaluateGate({ thresholds: mergeThresholds(), overall: totals(400, 0, [20, 60]), routes: [], newFields: null });
    expect(slow.verdict).toBe('fail');
    expect(slow.reasons[0]).toMatch(/p99 latency 60\.0 ms vs 20\.0 ms on the secondary \(×3\.00\) > ×1\.5/);
  });

  it('judges latency only when timed alike and over enough exchanges', () => {
    const unalike = evaluateGate({ thresholds: mergeThresholds(), overall: totals(400, 0, [20, 60], 'primary'), routes: [], newFields: null });
    expect(unalike.verdict).toBe('pass');
    expect(unalike.overall.checks.find((c) => c.check === 'p99_latency_ratio')!.message).toMatch(/against the primary: not judged, .*different threads/);
    const few = evaluateGate({ thresholds: mergeThresholds({ minExchangesPerRoute: 30 }), overall: totals(60, 0, [20, 60], 'control'), routes: [], newFields: null });
    expect(few.verdict).toBe('pass');
    expect(few.overall.checks.find((c) => c.check === 'p99_latency_ratio')!.message).toMatch(/60 exchanges timed alike, 100 needed/);
    const controls = evaluateGate({ thresholds: mergeThresholds(), overall: totals(400, 0, [20, 60], 'control'), routes: [], newFields: null });
    expect(controls.reasons[0]).toMatch(/on the control copies \(×3\.00\)/);
  });

  it('fails on latency only beyond doubt: one slow reference answer can make the point ratio high', () => {
    // p99 3× the reference's, but the reference's p99 may be as high as 45 ms (its slowest answers).
    const doubtful = evaluateGate({ thresholds: mergeThresholds(), overall: totals(400, 0, [20, 60], 'secondary', { candidateLow: 55, referenceHigh: 45 }), routes: [], newFields: null });
    expect(doubtful.verdict).toBe('pass');
    expect(doubtful.overall.checks.find((c) => c.check === 'p99_latency_ratio')!.message).toMatch(/not beyond doubt: .* as low as 55\.0 ms, .* as high as 45\.0 ms/);
    const sure = evaluateGate({ thresholds: mergeThresholds(), overall: totals(400, 0, [20, 60], 'secondary', { candidateLow: 55, referenceHigh: 30 }), routes: [], newFields: null });
    expect(sure.verdict).toBe('fail');
  });

  it('applies per-route limits over the run-wide ones', () => {
    const thresholds = mergeThresholds({ routes: { 'GET /legacy': { maxDifferenceRate: 1 } } });
    const result = evaluateGate({ thresholds, overall: totals(1000, 100), routes: [routeSummary('GET /legacy', 200, 100), routeSummary('GET /a', 800)], newFields: null });
    expect(result.routes.find((r) => r.route === 'GET /legacy')!.verdict).toBe('pass');
  });

  it('renders JUnit with escaped names and one case per route plus the run', () => {
    const result = evaluateGate({ thresholds: mergeThresholds(), overall: totals(400), routes: [routeSummary('GET /q?a=<b>&c', 10)], newFields: null });
    const xml = renderGateJunit({ ...result, run: { id: 'x', name: 'r"1' }, baseline: null, thresholds: mergeThresholds(), evaluatedAt: '2026-01-01T00:00:00Z' });
    expect(xml).toContain('<testcase name="GET /q?a=&lt;b&gt;&amp;c"');
    expect(xml).toContain('classname="shadowdiff.gate.r&quot;1"');
    expect(xml).toMatch(/tests="2" failures="1"/);
  });

  it('names the route\'s findings in the reason of a failed difference check, not in others', () => {
    const findings = new Map([['GET /a', ['field renamed body.email → body.emailAddress (same values)', 'status 200 → 500 (body replaced)']]]);
    const result = evaluateGate({ thresholds: mergeThresholds(), overall: totals(400), routes: [routeSummary('GET /a', 200, 50), routeSummary('GET /b', 200, 50)], newFields: null, findings });
    const reasons = result.reasons.filter((r) => r.includes('real differences'));
    expect(reasons).toEqual([
      expect.stringMatching(/^GET \/a: real differences 50\/200 .* — field renamed body\.email → body\.emailAddress \(same values\); status 200 → 500 \(body replaced\)$/),
      expect.not.stringContaining(' — '),
    ]);
  });
});
