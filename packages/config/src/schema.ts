import { z } from 'zod';
import { diffSchema, noiseSchema, workerSchema } from './diff-schema.ts';
import { httpUrl, port, positiveInt, runNameSchema } from './schema-types.ts';
import { tapSchema } from './tap-schema.ts';

/** The whole configuration of every shadowdiff process. */
/** A list of bearer tokens, or one comma-separated string of them (as an environment variable gives). */
const tokenList = z.preprocess(
  (value) => (typeof value === 'string' ? value.split(',').map((t) => t.trim()).filter((t) => t.length > 0) : value),
  z.array(z.string().min(16, 'at least 16 characters')).default([]),
);

export const configSchema = z.strictObject({
  /** The comparison session that captures are filed under. */
  run: runNameSchema.default('default'),
  upstreams: z
    .strictObject({
      primary: httpUrl.optional(),
      candidate: httpUrl.optional(),
      secondary: httpUrl.optional(),
    })
    .prefault({}),
  tap: tapSchema.prefault({}),
  api: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: port.default(8081),
      /** A write token (as one of `writeTokens`). */
      token: z.string().min(16, 'at least 16 characters').optional(),
      /** Tokens that may read runs, results, reports and the gate; several at once for rotation. */
      readTokens: tokenList,
      /** Tokens that may also create and close runs, edit rules and triage. */
      writeTokens: tokenList,
      /**
       * Seconds results may lag traffic (the oldest capture waiting for a worker) before an active
       * run shows a warning; with no worker consuming within them either, `/readyz` is 503.
       */
      maxResultLagSeconds: z.number().positive().max(86_400).default(10),
      /** Exchanges captured elsewhere and posted to `/api/v1/ingest/*`. */
      ingest: z
        .strictObject({
          /** Largest request body (NDJSON) taken, in bytes; a larger one is refused whole (413). Each exchange's bodies are then cut at `tap.maxBodyBytes`. */
          maxBodyBytes: positiveInt.default(10 * 1024 * 1024),
        })
        .prefault({}),
    })
    .prefault({}),
  worker: workerSchema.prefault({}),
  diff: diffSchema.prefault({}),
  noise: noiseSchema.prefault({}),
  database: z.strictObject({ url: z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// URL').optional() }).prefault({}),
  redis: z
    .strictObject({
      /** A redis:// URL; with `cluster`, one or more seed nodes' URLs, comma-separated. */
      url: z.string().regex(/^rediss?:\/\/[^,\s]+(\s*,\s*rediss?:\/\/[^,\s]+)*$/, 'a redis:// URL (with redis.cluster, several, comma-separated)').optional(),
      /** The Redis is a Redis Cluster: `url` names its seed nodes, the queue's keys are hash-tagged. */
      cluster: z.boolean().default(false),
      /** Queues the captures are spread over, each in its own hash slot; taps, workers and the API must agree. */
      queueShards: z.number().int('a whole number').min(1).max(256).default(1),
      /** Key prefix of the capture queue; taps and workers sharing a queue must agree on it. */
      prefix: z.string().regex(/^[A-Za-z0-9_-]{1,50}$/, 'letters, digits, "_" or "-"').default('bull'),
    })
    .superRefine((redis, context) => {
      if (!redis.cluster && redis.url?.includes(',')) context.addIssue({ code: 'custom', path: ['url'], message: 'several URLs are the seed nodes of a Redis Cluster: set redis.cluster to true (SHADOWDIFF_REDIS_CLUSTER=true)' });
      if (redis.cluster && !redis.url) context.addIssue({ code: 'custom', path: ['url'], message: 'redis.cluster needs the URL of at least one of its nodes (REDIS_URL)' });
    })
    .prefault({}),
  retention: z
    .strictObject({
      /**
       * Days of exchanges kept: with it set, workers drop the days of capture ids older than this
       * every hour (kept runs excepted); `shadowdiff prune` does it by hand. Unset keeps everything.
       */
      days: z.number().int('a whole number of days').min(1).max(36_500).optional(),
    })
    .prefault({}),
  /** Where embedded Postgres and the local redis-server keep their data. */
  stateDir: z.string().min(1).default('.shadowdiff'),
  log: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    })
    .prefault({}),
});

export type ShadowdiffConfig = z.infer<typeof configSchema>;
