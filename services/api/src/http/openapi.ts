import { z } from 'zod';
import { componentSchemas } from '../schemas/components.ts';
import { scopeOf, type HandlerSpec } from './handler.ts';

type JsonSchema = Record<string, unknown>;

/** JSON Schema (2020-12, as OpenAPI 3.1 uses) of one zod schema; request side or response side. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  return rest;
}

const componentRef = (id: string): string => `#/components/schemas/${id}`;

/** A body's schema: a reference when the schema has a name, else written out. */
function responseSchema(schema: z.ZodType): JsonSchema {
  const id = componentSchemas.get(schema)?.id;
  return id ? { $ref: componentRef(id) } : jsonSchema(schema, 'output');
}

/** The named response schemas, referring to each other by name. */
function namedSchemas(): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(componentSchemas, { io: 'output', unrepresentable: 'any', target: 'draft-2020-12', uri: componentRef });
  return Object.fromEntries(Object.entries(schemas).map(([id, schema]) => {
    const { $schema: _schema, $id: _id, ...rest } = schema as JsonSchema;
    return [id, rest];
  }));
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!(schema instanceof z.ZodObject)) return [];
  return Object.entries(schema.shape as Record<string, z.ZodType>).map(([name, field]) => ({
    name,
    in: where,
    required: where === 'path' || !field.safeParse(undefined).success,
    ...(field.description ? { description: field.description } : {}),
    schema: jsonSchema(field, 'input'),
  }));
}

const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

function responses(spec: HandlerSpec): JsonSchema {
  const out: JsonSchema = {};
  for (const [status, response] of Object.entries(spec.responses)) {
    const content: JsonSchema = {};
    if (response.schema) content['application/json'] = { schema: responseSchema(response.schema) };
    for (const type of response.textTypes ?? []) content[type] = { schema: { type: 'string' } };
    out[status] = { description: response.description, ...(Object.keys(content).length > 0 ? { content } : {}) };
  }
  const error = (description: string): JsonSchema => ({ description, content: { 'application/json': { schema: jsonSchema(errorSchema, 'output') } } });
  out['400'] ??= error('a parameter is invalid; the message names it');
  out['401'] = error('the bearer token is missing or wrong');
  if (spec.path.includes(':')) out['404'] ??= error('no such run, exchange or rule');
  return out;
}

/** The OpenAPI 3.1 document of the given handlers, generated from the schemas that validate them. */
export function buildOpenApiDocument(handlers: readonly HandlerSpec[], info: { title: string; version: string }): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const spec of handlers) {
    const path = spec.path.replace(/:(\w+)/g, '{$1}');
    const operation: JsonSchema = {
      operationId: spec.operationId,
      summary: spec.summary,
      ...(spec.description ? { description: spec.description } : {}),
      tags: [spec.tag],
      security: [{ bearer: [scopeOf(spec)] }],
      'x-scope': scopeOf(spec),
      parameters: [...parameters(spec.params, 'path'), ...parameters(spec.query, 'query')],
      responses: responses(spec),
    };
    if (spec.ndjsonLines) {
      operation.requestBody = {
        required: true,
        description: 'JSON lines (NDJSON): one value of this schema per line; blank lines are skipped',
        content: { 'application/x-ndjson': { schema: responseSchema(spec.ndjsonLines) } },
      };
    } else if (spec.body) {
      operation.requestBody = { required: !spec.body.safeParse({}).success, content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } } };
    }
    (paths[path] ??= {})[spec.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: { ...info, description: 'shadowdiff: runs, endpoints, fields, differences, exchanges, rules, triage, gate, reports and ingest.' },
    servers: [{ url: '/api/v1' }],
    security: [{ bearer: [] }],
    components: {
      schemas: namedSchemas(),
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            "A read token (api.readTokens) or a write token (api.token, api.writeTokens); each operation's security lists the role it needs, also given as x-scope. Not required on loopback without a configured token.",
        },
      },
    },
    paths,
  };
}
