/**
 * Sends the corpus through a tap in steps, and after each step, once the worker has stored every
 * exchange, reads what the API and the gate say about every route: a checkpoint.
 */
import { WARM_UP, type Scenario } from './scenarios.ts';

/** Exchanges per route at which verdicts are read. */
export const CHECKPOINTS = [10, 20, 30, 50, 100, 150, 200, 300, 500, 1000, 2000];

/** Route limits of the bench's gate: any real difference, status mismatch or error above 1% fails. */
export const BENCH_GATE_THRESHOLDS = {
  maxDifferenceRate: 1,
  maxStatusMismatchRate: 1,
  maxCandidateErrorRate: 1,
  maxRouteDifferenceRate: 0.01,
  maxRouteStatusMismatchRate: 0.01,
  maxRouteCandidateErrorRate: 0.01,
  minExchangesPerRoute: 30,
};

export interface RouteObservation {
  exchanges: number;
  fields: { field: string; verdict: string }[];
  gate: { verdict: string; failed: string[]; latencyJudged: boolean };
  /** Candidate ÷ reference ratios, and the two p99s in ms. */
  latency: { basis: string; samples: number; p50: number | null; p99: number | null; referenceP99: number | null; candidateP99: number | null };
}

export interface Checkpoint {
  /** Exchanges per route asked for (routes with fewer in the corpus stop at their own count). */
  target: number;
  routes: Record<string, RouteObservation>;
}

async function api<T>(apiUrl: string, path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`${apiUrl}/api/v1${path}`, init);
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Sends every (scenario, id) pair, `parallel` at a time. */
async function send(tapUrl: string, requests: { scenario: Scenario; id: number }[], parallel: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < requests.length) {
        const { scenario, id } = requests[next++]!;
        const res = await fetch(`${tapUrl}/s/${scenario.name}/${id}`);
        await res.arrayBuffer();
      }
    }),
  );
}

type Percentiles = { p50: number | null; p99: number | null };

interface RouteItem {
  route: string;
  exchanges: number;
  latency: { basis: string; samples: number; ratio: Percentiles; reference: Percentiles; candidate: Percentiles };
}

async function waitForStored(apiUrl: string, run: string, expected: number, timeoutMs = 120_000): Promise<RouteItem[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = await api<{ overall: { exchanges: number }; items: RouteItem[] }>(apiUrl, `/runs/${run}/endpoints`).catch(() => undefined);
    if (list && (list.overall.exchanges >= expected || Date.now() > deadline)) return list.items;
    if (!list && Date.now() > deadline) throw new Error(`run ${run} never appeared in the API`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Reads every route's field verdicts, gate outcome and latency. */
async function observe(apiUrl: string, run: string, routes: RouteItem[]): Promise<Record<string, RouteObservation>> {
  type Check = { check: string; passed: boolean; message: string };
  const gate = await api<{ routes: { route: string; verdict: string; checks: Check[] }[] }>(apiUrl, `/runs/${run}/gate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ thresholds: BENCH_GATE_THRESHOLDS }),
  });
  const out: Record<string, RouteObservation> = {};
  for (const item of routes.filter((e) => !e.route.includes(`/${WARM_UP.name}/`))) {
    const fields = await api<{ items: { field: string; classification: { verdict: string } }[] }>(apiUrl, `/runs/${run}/endpoints/${encodeURIComponent(item.route)}/fields?examples=0`);
    const routeGate = gate.routes.find((r) => r.route === item.route);
    const latencyCheck = routeGate?.checks.find((c) => c.check === 'p99_latency_ratio');
    out[item.route] = {
      exchanges: item.exchanges,
      fields: fields.items.map((f) => ({ field: f.field, verdict: f.classification.verdict })),
      gate: {
        verdict: routeGate?.verdict ?? 'missing',
        failed: (routeGate?.checks ?? []).filter((c) => !c.passed && c.check !== 'min_exchanges').map((c) => c.check),
        latencyJudged: latencyCheck !== undefined && !latencyCheck.message.includes('not judged'),
      },
      latency: {
        basis: item.latency.basis,
        samples: item.latency.samples,
        p50: item.latency.ratio.p50,
        p99: item.latency.ratio.p99,
        referenceP99: item.latency.reference.p99,
        candidateP99: item.latency.candidate.p99,
      },
    };
  }
  return out;
}

/** Drives the whole corpus through `tapUrl` as run `run`, with a checkpoint after each step. */
export async function driveCorpus(
  options: {
    apiUrl: string;
    tapUrl: string;
    run: string;
    scenarios: readonly Scenario[];
    parallel?: number;
    scale?: number;
    /** Called once the tap is warm, before the corpus. */
    afterWarmUp?: () => Promise<void>;
  },
  onCheckpoint: (checkpoint: Checkpoint) => void = () => undefined,
): Promise<Checkpoint[]> {
  const scale = options.scale ?? 1;
  const wanted = (s: Scenario): number => Math.max(1, Math.round(s.exchanges * scale));
  const sent = new Map<Scenario, number>(options.scenarios.map((s) => [s, 0]));
  const checkpoints: Checkpoint[] = [];
  const parallel = options.parallel ?? 4;
  await send(options.tapUrl, Array.from({ length: WARM_UP.exchanges }, (_, id) => ({ scenario: WARM_UP, id })), parallel);
  await options.afterWarmUp?.();
  let total = WARM_UP.exchanges;
  const largest = Math.max(...options.scenarios.map(wanted));
  for (const target of CHECKPOINTS.filter((c, i) => c <= largest || CHECKPOINTS[i - 1]! < largest)) {
    const requests: { scenario: Scenario; id: number }[] = [];
    for (const scenario of options.scenarios) {
      const until = Math.min(target, wanted(scenario));
      for (let id = sent.get(scenario)!; id < until; id++) requests.push({ scenario, id });
      sent.set(scenario, Math.max(until, sent.get(scenario)!));
    }
    if (requests.length === 0) continue;
    // Interleave the routes, as real traffic would (Fisher–Yates).
    for (let i = requests.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [requests[i], requests[j]] = [requests[j]!, requests[i]!];
    }
    await send(options.tapUrl, requests, parallel);
    total += requests.length;
    const routes = await waitForStored(options.apiUrl, options.run, total);
    const checkpoint: Checkpoint = { target, routes: await observe(options.apiUrl, options.run, routes) };
    checkpoints.push(checkpoint);
    onCheckpoint(checkpoint);
  }
  return checkpoints;
}
