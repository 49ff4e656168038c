import { z } from 'zod';
import { DEFAULT_IGNORED_HEADERS } from '@shadowdiff/diff';

const port = z.number().int().min(0).max(65535);
const httpUrl = z.url({ protocol: /^https?$/ });
const positiveInt = z.number().int().positive();


export const configSchema = z.strictObject({
  /** The comparison session that captures are filed under. */
  run: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'letters, digits, ".", "_" or "-", at most 100')
    .default('default'),
  upstreams: z
    .strictObject({
      primary: httpUrl.optional(),
      candidate: httpUrl.optional(),
      secondary: httpUrl.optional(),
    })
    .prefault({}),
  tap: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: port.default(8080),
      /** Share of requests mirrored, like Istio's mirrorPercentage (0–100, fractions allowed). */
      mirrorPercentage: z.number().min(0).max(100).default(100),
      /** Per shadow call: the candidate (or secondary) gets this long to answer in full. */
      shadowTimeoutMs: positiveInt.default(5000),
      /** Bytes of each body kept in a capture; the client always gets the whole body. */
      maxBodyBytes: positiveInt.default(1024 * 1024),
      /** Append `-shadow` to the Host of mirrored requests, as Istio and Envoy do. */
      shadowHostSuffix: z.boolean().default(true),
      /** Shadow requests allowed in flight at once; beyond it captures are dropped and counted. */
      maxInFlightShadows: positiveInt.default(1000),
      /** Mirror POST, PUT, PATCH and DELETE too (the candidate must use isolated data). */
      mirrorUnsafeMethods: z.boolean().default(false),
      batchSize: positiveInt.default(100),
      batchFlushMs: positiveInt.default(5),
      /** Captures held while Redis is slow or away; beyond it they are dropped and counted. */
      maxBufferedCaptures: positiveInt.default(10000),
    })
    .prefault({}),
  api: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: port.default(8081),
      token: z.string().min(16, 'at least 16 characters').optional(),
    })
    .prefault({}),
  worker: z
    .strictObject({
      concurrency: positiveInt.max(256).default(4),
    })
    .prefault({}),
  diff: z
    .strictObject({
      ignoreHeaders: z.array(z.string().min(1)).default([...DEFAULT_IGNORED_HEADERS]),
    })
    .prefault({}),
  database: z.strictObject({ url: z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// URL').optional() }).prefault({}),
  redis: z.strictObject({ url: z.string().regex(/^rediss?:\/\//, 'a redis:// URL').optional() }).prefault({}),
  /** Where embedded Postgres and the local redis-server keep their data. */
  stateDir: z.string().min(1).default('.shadowdiff'),
  log: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    })
    .prefault({}),
});

export type ShadowdiffConfig = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
