import { z } from 'zod';
import { port, positiveInt } from './schema-types';

/** The tap's settings: where it listens, what it mirrors, and its bounds. */
export const tapSchema = z.strictObject({
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
});
