import { z } from 'zod';
import { httpUrl, port, positiveInt } from './schema-types.ts';

/**
 * Query parameters redacted by default (names compared without regard to case): tokens, keys,
 * passwords, OAuth codes and the signatures of signed URLs.
 */
export const DEFAULT_REDACTED_QUERY_PARAMS: readonly string[] = Object.freeze([
  'token',
  'access_token',
  'id_token',
  'api_key',
  'apikey',
  'key',
  'password',
  'secret',
  'signature',
  'sig',
  'code',
  'X-Amz-Signature',
  'X-Amz-Credential',
]);

/** `[METHOD ]/path` where `*` stands for one path segment (or part of one) and `**` for any number. */
const routePattern = z
  .string()
  .regex(/^(?:(?:[A-Z]+|\*) +)?\/[^\s?#]*$/, 'a path pattern such as "/api/**" or "GET /users/*" (the path only: no "?" or "#")');

/** `$.a.b`, `$.items[*].card.number`, `$..password` (any depth), `$['odd key']`, `$.list[0]`. */
const jsonPath = z
  .string()
  .regex(
    /^\$(?:\.\.?(?:[A-Za-z0-9_$-]+|\*)|(?:\.\.)?\[(?:\*|\d+|'[^']+')\])+$/,
    'a JSON path such as "$.password", "$.card.number", "$.items[*].token" or "$..secret"',
  );

/** Consistent sampling on a request attribute: all requests with the same value share a fate. */
/**
 * How much lower the shadow thread's priority is, by default: none. Raised (5), with a CPU hog on
 * both cores the tap served about twice the requests at full load, but it shed most of its copies
 * there, and even at a few hundred requests a second it dropped copies (shadow_limit): each wake-up
 * of a lower-priority thread waits behind the hog, so too few exchanges are captured to judge.
 * Verdicts come first; a host that must protect its clients above all can raise it.
 */
export const SHADOW_THREAD_NICE = 0;

/**
 * Above this share of its time busy, the thread answering clients sheds copies (see
 * `tap.shedCopiesAbove`). Measured on 2 cores crowded by other work: at full load the serving
 * thread was busy 83–99% of the time, at 1000 requests/s 27–66% (waiting for a core in the middle
 * of work counts as busy). At 0.8, `shadowdiff up` at 1000 requests/s on 2 cores (the worker and
 * Postgres beside the tap) shed a few hundred copies in 60 s; 0.9 sheds when the tap itself is
 * the bottleneck.
 */
export const SHED_COPIES_ABOVE = 0.9;

const sampleKey = z.string().regex(/^(?:header|query):\S+$/, '"header:NAME" or "query:NAME"');

/** The tap's settings: where it listens, what it mirrors or records, its bounds and redaction. */
export const tapSchema = z.strictObject({
  /**
   * `inline`: the tap proxies to the primary and mirrors to the candidate itself. `recorder`: a
   * service mesh mirrors; the tap records one side's half in front of `recorder.upstream`.
   */
  mode: z.enum(['inline', 'recorder']).default('inline'),
  host: z.string().min(1).default('127.0.0.1'),
  port: port.default(8080),
  /** Where `/metrics` and `/healthz` are served: every path on `port` belongs to the proxied service. 0 picks a free port. */
  adminHost: z.string().min(1).default('127.0.0.1'),
  adminPort: port.default(9464),
  /** Share of requests mirrored, like Istio's mirrorPercentage (0–100, fractions allowed). */
  mirrorPercentage: z.number().min(0).max(100).default(100),
  /**
   * Without a secondary: share (0–100) of mirrored safe requests (GET, HEAD, OPTIONS) also sent
   * to the primary a second time, from the shadow side, marked `x-shadowdiff-control: 1`. Its
   * answer is the noise control and the latency reference. Adds this share of the mirrored safe
   * traffic to the primary's load. Ignored when a secondary is configured.
   */
  controlPercentage: z.number().min(0).max(100).default(0),
  /**
   * Sample on a key instead of at random: `header:x-user-id` or `query:user`. Requests carrying
   * the same value are all mirrored or none are, on every tap. Requests without it fall back to random.
   */
  sampleKey: sampleKey.optional(),
  /** Per shadow call: the candidate (or secondary) gets this long to answer in full. */
  shadowTimeoutMs: positiveInt.default(5000),
  /** Bytes of each body kept in a capture; the client always gets the whole body. */
  maxBodyBytes: positiveInt.default(1024 * 1024),
  /** Append `-shadow` to the Host of mirrored requests, as Istio and Envoy do. */
  shadowHostSuffix: z.boolean().default(true),
  /**
   * Added to the nice value of the thread that sends the copies and queues the captures (Linux):
   * on a busy host it then yields CPU to the thread answering clients, and copies it cannot keep
   * up with are dropped and counted (`shadow_limit`). 0 (the default): the same priority.
   */
  shadowThreadNice: z.number().int().min(0).max(19).default(SHADOW_THREAD_NICE),
  /**
   * When the thread answering clients is busy more than this share of its time (0.1–1), copies are
   * shed (dropped and counted as `tap_busy`, never fewer than 1% kept) until it is not: the CPU they
   * take goes to the clients. 1 never sheds. Inline tap only.
   */
  shedCopiesAbove: z.number().min(0.1).max(1).default(SHED_COPIES_ABOVE),
  /** Shadow requests allowed in flight at once; beyond it captures are dropped and counted. */
  maxInFlightShadows: positiveInt.default(1000),
  /** Mirror POST, PUT, PATCH and DELETE too (the candidate must use isolated data). */
  mirrorUnsafeMethods: z.boolean().default(false),
  /** Which routes are mirrored (inline) or recorded (recorder). Patterns match the path, not the query. */
  routes: z
    .strictObject({
      /** When not empty, only matching requests are mirrored. */
      include: z.array(routePattern).default([]),
      /** Matching requests are never mirrored; wins over `include`. */
      exclude: z.array(routePattern).default([]),
      /** Unsafe methods mirrored on these routes even when `mirrorUnsafeMethods` is false, e.g. "POST /api/search". */
      allowUnsafe: z.array(routePattern).default([]),
    })
    .prefault({}),
  /** Secrets are replaced by `redacted:<keyed hash>` before a capture leaves the tap. */
  redaction: z
    .strictObject({
      /** Headers redacted on top of the built-in ones (authorization, cookie, set-cookie, proxy-authorization, x-api-key). */
      headers: z.array(z.string().min(1)).default([]),
      /** Query parameters redacted in the request URL (any case); replaces the default list when given. */
      queryParams: z.array(z.string().min(1)).default([...DEFAULT_REDACTED_QUERY_PARAMS]),
      /** Fields of JSON (and form) bodies redacted in the request and every response. */
      bodyPaths: z.array(jsonPath).default([]),
      /** The hash key itself; taps that must agree (several instances, two recorders) need the same key. */
      key: z.string().min(16, 'at least 16 characters').optional(),
      /** A file holding the key (a mounted secret); created with a random key when absent. Default: `<stateDir>/redaction.key`. */
      keyFile: z.string().min(1).optional(),
    })
    .prefault({}),
  /** Mesh pairing: the recorder in front of one side. */
  recorder: z
    .strictObject({
      /** The service this recorder proxies to. */
      upstream: httpUrl.optional(),
      /** Which half this recorder sees; `auto`: a Host ending in `-shadow` is the candidate's. */
      side: z.enum(['auto', 'primary', 'candidate']).default('auto'),
      /** How long a half waits for its partner (same `x-request-id`) before it is counted unmatched. */
      joinWindowMs: positiveInt.max(600_000).default(10_000),
    })
    .prefault({}),
  batchSize: positiveInt.default(100),
  /**
   * How long captures wait to fill a batch before it is queued anyway. Each batch is a BullMQ job:
   * at 1000 copies/s, flushing every 5 ms cost Redis 42 µs and the shadow thread 160 µs of CPU per
   * copy, every 25 ms 23 and 134 (medians of 4 alternating rounds); captures reach the queue at
   * most 25 ms later, far inside the API's one-second freshness.
   */
  batchFlushMs: positiveInt.default(25),
  /** Captures held while Redis is slow or away; beyond it they are dropped and counted. */
  maxBufferedCaptures: positiveInt.default(10000),
  /**
   * Batches waiting in the queue for a worker, at most: beyond it (no worker consuming, or too
   * few) the tap stops queueing and counts drops as `backlog_full`, so Redis memory stays bounded.
   */
  maxQueuedBatches: positiveInt.default(1000),
  /** How often the tap reads the queue's backlog (waiting batches, the oldest one's age). */
  backlogPollMs: positiveInt.min(10).default(1000),
});
