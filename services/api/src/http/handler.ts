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
  /** JSON body schema; documented, and checked by the tests. */
  schema?: z.ZodType;
  /** Non-JSON content types this response may have. */
  textTypes?: readonly string[];
}

/**
 * An API handler: its method and path, the schemas that validate its input (and document it in the
 * OpenAPI document), and a handler that turns valid input into a result. No express in handlers.
 */
export interface HandlerSpec<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType> {
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
  responses: Record<number, ResponseSpec>;
  handle(input: { params: z.output<P>; query: z.output<Q>; body: z.output<B> }): Promise<HandlerResult>;
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

/** Keeps the schema types of one handler while building a list of them. */
export function defineHandler<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(spec: HandlerSpec<P, Q, B>): HandlerSpec {
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
      send(res, await spec.handle(read(spec, req) as Parameters<HandlerSpec['handle']>[0]));
    });
  }
}
