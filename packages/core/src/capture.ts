import { z } from 'zod';

/** Which upstream a response came from. */
export const SIDES = ['primary', 'candidate', 'secondary'] as const;
export type Side = (typeof SIDES)[number];
/** Sides compared against the primary. */
export type ShadowSide = Exclude<Side, 'primary'>;

/**
 * How a call to one side ended. `ok` means a full HTTP response was read (whatever its status);
 * the others mean no usable response exists.
 */
export const OUTCOMES = ['ok', 'timeout', 'refused', 'reset', 'error'] as const;
export type Outcome = (typeof OUTCOMES)[number];

const headers = z.record(z.string(), z.union([z.string(), z.array(z.string())]));

/** A body as captured: base64 of at most the configured cap, with the real size. */
export const capturedBodySchema = z.object({
  base64: z.string(),
  /** Bytes seen on the wire, which may exceed what was kept. */
  size: z.number().int().nonnegative(),
  /** True when `base64` holds only the first part of the body. */
  truncated: z.boolean(),
  /**
   * Set when the body's bytes were left out because secrets in it could not be redacted safely
   * (say, a JSON body that does not parse); `truncated` is then true, so it is never compared.
   */
  withheld: z.string().optional(),
});
export type CapturedBody = z.infer<typeof capturedBodySchema>;

export const capturedRequestSchema = z.object({
  method: z.string().min(1),
  /** Path and query exactly as the client sent them. */
  url: z.string().min(1),
  headers,
  body: capturedBodySchema,
});
export type CapturedRequest = z.infer<typeof capturedRequestSchema>;

export const capturedResponseSchema = z.object({
  outcome: z.enum(OUTCOMES),
  status: z.number().int().min(100).max(999).nullable(),
  headers,
  body: capturedBodySchema,
  /** Milliseconds from sending the request to the last body byte (or the failure). */
  latencyMs: z.number().nonnegative(),
  /** Why the call failed, when `outcome` is not `ok`. */
  error: z.string().optional(),
});
export type CapturedResponse = z.infer<typeof capturedResponseSchema>;

/** One exchange as the tap saw it: the request and every side's response. */
export const captureSchema = z.object({
  /** Time-ordered unique id; the idempotency key all the way to Postgres. */
  id: z.uuid(),
  run: z.string().min(1),
  capturedAt: z.iso.datetime(),
  request: capturedRequestSchema,
  primary: capturedResponseSchema,
  candidate: capturedResponseSchema,
  secondary: capturedResponseSchema.optional(),
  /**
   * What answered as the secondary: a secondary production instance (the default), or a control
   * copy, the same request sent to the primary a second time from the shadow side.
   */
  secondaryKind: z.enum(['secondary', 'control']).optional(),
  /**
   * How the exchange was captured: by the inline tap, paired from two mesh recorders, replayed
   * from a recording, or captured elsewhere and posted to the ingest API.
   */
  source: z.enum(['inline', 'mesh', 'replay', 'ingest']).optional(),
  /** For a replayed exchange: the recording it came from (a file's name, or `run NAME`). */
  replayOf: z.string().max(300).optional(),
  /** The exchange's `x-request-id`, as the primary and the shadow side both saw it. */
  requestId: z.string().optional(),
});
export type Capture = z.infer<typeof captureSchema>;
