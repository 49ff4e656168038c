/**
 * The labelled corpus: one route per scenario, served by a primary, a candidate and a secondary
 * that differ only where a scenario injects a difference, so the truth of every field is known.
 *
 * Every answer also carries the noise a real service has: a timestamp and a request id in the
 * body, and date, etag and x-request-id headers.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { BASE_LATENCY, FAST_LATENCY, type LatencyModel } from './latency-model.ts';

export type Role = 'primary' | 'candidate' | 'secondary';
export type ScenarioGroup = 'regression' | 'noise' | 'latency';

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

export interface Scenario {
  /** The route's path segment: `GET /s/<name>/{id}`. */
  name: string;
  group: ScenarioGroup;
  description: string;
  /** Exchanges sent on the route. */
  exchanges: number;
  /**
   * Field prefixes that are injected regressions (a field is labelled by the first prefix that
   * is the field itself or its parent): `body.items` labels `body.items[*].sku`.
   */
  real: string[];
  /** Share of exchanges in which the regression occurs. */
  regressionShare?: number;
  /** Field prefixes that are noise, besides the noise every route carries. */
  noise: string[];
  /** Service times of the primary (and secondary) and of the candidate; none: answered at once. */
  latency?: { reference: LatencyModel; candidate: LatencyModel };
  /** The scenario's change to the base answer, for one side and request id. */
  shape?(answer: Answer, role: Role, id: number): void;
}

/** Noise every route carries, with its field names. */
export const COMMON_NOISE = ['body.generatedAt', 'body.requestId'];

/** The base answer: the same on every side apart from the common noise. */
export function baseAnswer(id: number): Answer {
  return {
    status: 200,
    headers: { 'content-type': 'application/json', etag: `"${randomBytes(6).toString('hex')}"`, 'x-request-id': randomUUID() },
    body: {
      id,
      customerName: `Customer ${id}`,
      state: 'open',
      total: Math.round(id * 350) / 100,
      count: 3,
      items: [
        { sku: `A-${id}`, qty: 1, price: 9.99 },
        { sku: 'B-7', qty: 2, price: 4.5 },
        { sku: 'C-3', qty: 1, price: 12 },
      ],
      generatedAt: new Date().toISOString(),
      requestId: randomUUID(),
    },
  };
}

/**
 * Whether the candidate injects a regression of `share` into request `id`: exactly that share of
 * every hundred ids, spread over the hundred (37 is invertible mod 100, so the ids are permuted).
 */
const candidateOnly = (role: Role, id: number, share: number): boolean => role === 'candidate' && (id * 37 + 11) % 100 < Math.round(share * 100);

/** `state` changes on the candidate in `share` of exchanges (by request id, so exactly). */
function fieldChange(share: number): Scenario {
  const pct = Math.round(share * 100);
  return {
    name: `change-${pct}`,
    group: 'regression',
    description: `a field changed in ${pct}% of exchanges`,
    exchanges: 300,
    real: ['body.state'],
    regressionShare: share,
    noise: [],
    shape: (a, role, id) => {
      if (candidateOnly(role, id, share)) a.body.state = 'closed';
    },
  };
}

/** The candidate answers 500 with an error body in `share` of exchanges. */
function statusRegression(share: number): Scenario {
  const pct = Math.round(share * 100);
  return {
    name: `status-500-${pct}`,
    group: 'regression',
    description: `500s in ${pct}% of exchanges`,
    exchanges: 300,
    real: ['status', 'body', 'header.content-type'],
    regressionShare: share,
    noise: [],
    shape: (a, role, id) => {
      if (!candidateOnly(role, id, share)) return;
      a.status = 500;
      a.body = { error: 'internal', generatedAt: a.body.generatedAt, requestId: a.body.requestId };
    },
  };
}

const shuffled = <T>(values: T[]): T[] => values.map((v) => [Math.random(), v] as const).sort((x, y) => x[0] - y[0]).map(([, v]) => v);

function latencyScenario(name: string, description: string, candidate: LatencyModel, reference: LatencyModel = BASE_LATENCY): Scenario {
  return { name, group: 'latency', description, exchanges: 2000, real: [], noise: [], latency: { reference, candidate } };
}

export const SCENARIOS: readonly Scenario[] = Object.freeze([
  fieldChange(1),
  fieldChange(0.2),
  fieldChange(0.05),
  fieldChange(0.02),
  fieldChange(0.01),
  {
    name: 'type-change',
    group: 'regression',
    description: 'a number became a string',
    exchanges: 300,
    real: ['body.count'],
    regressionShare: 1,
    noise: [],
    shape: (a, role) => {
      if (role === 'candidate') a.body.count = String(a.body.count);
    },
  },
  {
    name: 'rename',
    group: 'regression',
    description: 'a field renamed',
    exchanges: 300,
    real: ['body.customerName', 'body.customer_name'],
    regressionShare: 1,
    noise: [],
    shape: (a, role) => {
      if (role !== 'candidate') return;
      a.body.customer_name = a.body.customerName;
      delete a.body.customerName;
    },
  },
  {
    name: 'array-order',
    group: 'regression',
    description: 'an array in reverse order',
    exchanges: 300,
    real: ['body.items'],
    regressionShare: 1,
    noise: [],
    shape: (a, role) => {
      if (role === 'candidate') (a.body.items as unknown[]).reverse();
    },
  },
  {
    name: 'array-length',
    group: 'regression',
    description: 'an array one element longer',
    exchanges: 300,
    real: ['body.items'],
    regressionShare: 1,
    noise: [],
    shape: (a, role) => {
      if (role === 'candidate') (a.body.items as unknown[]).push({ sku: 'D-1', qty: 1, price: 1 });
    },
  },
  statusRegression(0.05),
  statusRegression(0.02),
  {
    name: 'timestamps',
    group: 'noise',
    description: 'timestamps (ISO and epoch ms)',
    exchanges: 300,
    real: [],
    noise: ['body.updatedAt', 'body.epochMs'],
    shape: (a) => {
      a.body.updatedAt = new Date(Date.now() - Math.floor(Math.random() * 1000)).toISOString();
      a.body.epochMs = Date.now();
    },
  },
  {
    name: 'random-ids',
    group: 'noise',
    description: 'random ids (UUID, hex nonce, numeric)',
    exchanges: 300,
    real: [],
    noise: ['body.sessionId', 'body.nonce', 'body.sequence'],
    shape: (a) => {
      a.body.sessionId = randomUUID();
      a.body.nonce = randomBytes(8).toString('hex');
      a.body.sequence = Math.floor(Math.random() * 1e9);
    },
  },
  {
    name: 'volatile-30',
    group: 'noise',
    description: 'a value volatile in 30% of answers',
    exchanges: 300,
    real: [],
    noise: ['body.cache'],
    shape: (a) => {
      a.body.cache = Math.random() < 0.3 ? 'miss' : 'hit';
    },
  },
  {
    name: 'random-order',
    group: 'noise',
    description: 'an array in random order',
    exchanges: 300,
    real: [],
    noise: ['body.tags'],
    shape: (a) => {
      a.body.tags = shuffled(['red', 'green', 'blue', 'amber']);
    },
  },
  {
    name: 'float-jitter',
    group: 'noise',
    description: 'float jitter in the last digits',
    exchanges: 300,
    real: [],
    noise: ['body.score'],
    shape: (a) => {
      a.body.score = 0.75 * (1 + (Math.random() - 0.5) * 1e-9);
    },
  },
  {
    name: 'header-noise',
    group: 'noise',
    description: 'header noise (trace id, last-modified, cache status)',
    exchanges: 300,
    real: [],
    noise: ['header.x-trace-id', 'header.last-modified', 'header.x-cache'],
    shape: (a) => {
      a.headers['x-trace-id'] = randomBytes(8).toString('hex');
      a.headers['last-modified'] = new Date(Date.now() - Math.floor(Math.random() * 5000)).toUTCString();
      a.headers['x-cache'] = Math.random() < 0.5 ? 'HIT' : 'MISS';
    },
  },
  latencyScenario('latency-same', 'identical services', BASE_LATENCY),
  latencyScenario('latency-20', 'candidate +20% at p99', { ...BASE_LATENCY, scale: 1.2 }),
  latencyScenario('latency-100', 'candidate +100% at p99', { ...BASE_LATENCY, scale: 2 }),
  latencyScenario('latency-100-fast', 'candidate +100% at p99, a fast service (p99 26 ms)', { ...FAST_LATENCY, scale: 2 }, FAST_LATENCY),
  latencyScenario('heavy-tail', 'same median, heavier tail', { ...BASE_LATENCY, tailShare: 0.05, tailFactor: 5 }),
]);

/**
 * Traffic a tap gets before the corpus, on a route of its own: a long-running tap is warm, and a
 * fresh one's first seconds carry its shadow thread's start-up stalls into the shadow timings.
 */
export const WARM_UP: Scenario = { name: 'warm-up', group: 'noise', description: 'warm-up', exchanges: 500, real: [], noise: [] };

/** The route a scenario is stored under. */
export const routeOf = (scenario: Scenario): string => `GET /s/${scenario.name}/{id}`;

/** What a field of a scenario's route is: an injected regression, noise, or neither. */
export function labelOf(scenario: Scenario, field: string): 'real' | 'noise' | 'unlabelled' {
  const under = (prefix: string): boolean => field === prefix || field.startsWith(`${prefix}.`) || field.startsWith(`${prefix}[`);
  if ([...COMMON_NOISE, ...scenario.noise].some(under)) return 'noise';
  if (scenario.real.some(under)) return 'real';
  return 'unlabelled';
}

/** The answer of one side to `GET /s/<name>/<id>`. */
export function answer(scenario: Scenario, role: Role, id: number): Answer {
  const a = baseAnswer(id);
  scenario.shape?.(a, role, id);
  return a;
}
