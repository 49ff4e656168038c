import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { z } from 'zod';
import { requireScope, type Scope } from '../auth.ts';
import { parseInput, type InputLocation } from './parse-input.ts';

/** Methods handlers are declared with. */
export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** What a handler answers: a status and a JSON body, or text with its content type. */
export interface HandlerResult {
  status: number;
  body?: unknown;
  /** Set for a body that is not JSON (markdown, HTML, XML); the body is then a string. */
  contentType?: string;
}

/** One documented response of a handler. */
export interface ResponseSpec {
  description: string;
  /** JSON body schema: documented, and the type of the body the handler returns with this status. */
  schema?: z.ZodType;
  /** Non-JSON content types this response may have. */
  textTypes?: readonly string[];
}

/** A handler's documented responses, by status. */
export type ResponseSpecs = Record<number, ResponseSpec>;

/**
 * What a handler may answer with one documented status: the JSON its schema accepts (no body
 * when it has none), or text when it lists text types.
 */
type ResultFor<S extends number, R> =
  | (R extends { schema: infer Schema extends z.ZodType }
      ? { status: S; body: z.input<Schema>; contentType?: undefined }
      : { status: S; body?: undefined; contentType?: undefined })
  | (R extends { textTypes: readonly string[] } ? { status: S; body: string; contentType: string } : never);

/** The results a handler documenting `R` may return: one of its statuses, with that status's body. */
export type HandlerResultOf<R extends ResponseSpecs> = { [S in keyof R & number]: ResultFor<S, R[S]> }[keyof R & number];

/** A handler's valid input, as its schemas output it. */
export interface HandlerInput<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType> {
  params: z.output<P>;
  query: z.output<Q>;
  body: z.output<B>;
}

/**
 * An API handler: its method and path, the schemas that validate its input (and document it in the
 * OpenAPI document), and a handler that turns valid input into a result. No express in handlers.
 */
interface HandlerDescription<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends ResponseSpecs> {
  method: HttpMethod;
  /** Express-style path below /api/v1: `/runs/:run`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  /** What the caller's token must allow; default `read` for GET, `write` otherwise. */
  scope?: Scope;
  params?: P;
  query?: Q;
  body?: B;
  /**
   * Set when the body is JSON lines (NDJSON), each line a value of this schema, rather than one
   * JSON value: `body` must then be `rawBody`, and the handler reads and checks the lines itself,
   * so that one bad line does not refuse the others. The document lists the line's schema.
   */
  ndjsonLines?: z.ZodType;
  responses: R;
}

/** A handler as mounted and documented, its schema types erased so that handlers of every shape fit in one list. */
export interface HandlerSpec extends HandlerDescription<z.ZodType, z.ZodType, z.ZodType, ResponseSpecs> {
  handle(input: HandlerInput): Promise<HandlerResult>;
}

/**
 * A handler as written: its input typed by its schemas, and what it returns held to its documented
 * responses, so that a body that drifts from its response schema does not compile. `S` (the
 * documented statuses) is a type parameter of its own so that a returned `status: 200` keeps its
 * literal type while the statuses are being inferred.
 */
export interface TypedHandlerSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, S extends number, R extends Record<S, ResponseSpec>>
  extends HandlerDescription<P, Q, B, R & Record<S, ResponseSpec>> {
  handle(input: HandlerInput<P, Q, B>): Promise<NoInfer<{ status: S } & HandlerResultOf<R>>>;
}

/** The body of an NDJSON handler: its bytes as sent (decompressed), empty when none was sent. */
export const rawBody = z.custom<Buffer>((value) => Buffer.isBuffer(value));

/** How large a body the handlers read, by kind; a larger one is a 413. */
export interface BodyLimits {
  /** Bytes of a JSON body (or an express size string). */
  json: number | string;
  /** Bytes of an NDJSON body. */
  ndjson: number;
}

/** Checks one handler against its own schemas, then erases them for the list of handlers. */
export function defineHandler<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, S extends number, R extends Record<S, ResponseSpec>>(
  spec: TypedHandlerSpec<P, Q, B, S, R>,
): HandlerSpec {
  return spec as unknown as HandlerSpec;
}

function read(spec: HandlerSpec, req: Request): { params: unknown; query: unknown; body: unknown } {
  const parse = (schema: z.ZodType | undefined, value: unknown, where: InputLocation): unknown =>
    schema ? parseInput(schema, value, where) : undefined;
  return {
    params: parse(spec.params, req.params, 'path'),
    query: parse(spec.query, req.query, 'query'),
    body: spec.ndjsonLines ? (Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)) : parse(spec.body, req.body ?? {}, 'body'),
  };
}

function send(res: Response, result: HandlerResult): void {
  res.status(result.status);
  if (result.contentType) res.type(result.contentType).send(result.body);
  else if (result.body === undefined) res.end();
  else res.json(result.body);
}

/** The scope a handler needs. */
export const scopeOf = (spec: HandlerSpec): Scope => spec.scope ?? (spec.method === 'get' ? 'read' : 'write');

/**
 * Registers handlers on an express router, each behind its scope (the token's, set by the
 * auth middleware), checked before the body is read; a thrown error goes to the error middleware.
 */
export function mountHandlers(router: Router, handlers: readonly HandlerSpec[], limits: BodyLimits): void {
  const json = express.json({ limit: limits.json });
  // Any content type: NDJSON goes by several names (application/x-ndjson, application/jsonl, text/plain).
  const ndjson = express.raw({ type: () => true, limit: limits.ndjson });
  for (const spec of handlers) {
    const scope = scopeOf(spec);
    const allowed: RequestHandler = (_req, res, next) => {
      requireScope(res, scope);
      next();
    };
    router[spec.method](spec.path, allowed, spec.ndjsonLines ? ndjson : json, async (req: Request, res: Response) => {
      send(res, await spec.handle(read(spec, req) as HandlerInput));
    });
  }
}
