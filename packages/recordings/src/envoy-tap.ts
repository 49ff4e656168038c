/**
 * Envoy's HTTP tap, as its file-per-tap sink writes it in JSON: one `http_buffered_trace` per
 * file, the request and the response, each with headers (HTTP/2 pseudo-headers `:method`,
 * `:path`, `:authority`, `:status` among them) and a body (`as_bytes`, base64, or `as_string`).
 * Each trace is one side's half of an exchange; the two halves share their `x-request-id`.
 * Envoy writes its JSON with the proto's field names; the camel-case names of proto3's JSON
 * mapping are read too.
 */
import { z } from 'zod';
import { isShadowHost, type CapturedBody } from '@shadowdiff/core';
import type { IngestHalfLine } from './ingest-lines.ts';
import { RecordingError } from './recorded.ts';

const headerSchema = z.object({
  key: z.string(),
  value: z.string().optional(),
  raw_value: z.string().optional(),
  rawValue: z.string().optional(),
});

const bodySchema = z.object({
  truncated: z.boolean().optional(),
  as_bytes: z.string().optional(),
  asBytes: z.string().optional(),
  as_string: z.string().optional(),
  asString: z.string().optional(),
});

const messageSchema = z.object({
  headers: z.array(headerSchema).optional(),
  body: bodySchema.optional(),
});

const traceSchema = z.object({
  http_buffered_trace: z.object({ request: messageSchema.optional(), response: messageSchema.optional() }).optional(),
  httpBufferedTrace: z.object({ request: messageSchema.optional(), response: messageSchema.optional() }).optional(),
});

type Message = z.infer<typeof messageSchema>;
type Headers = Record<string, string | string[]>;

/** Which side a trace belongs to: given, or `auto`, told by the `-shadow` mark a mesh mirror puts on the authority. */
export type EnvoyTapSide = 'auto' | 'primary' | 'candidate';

function headersOf(message: Message): { pseudo: Map<string, string>; headers: Headers } {
  const pseudo = new Map<string, string>();
  const headers: Headers = {};
  for (const header of message.headers ?? []) {
    const raw = header.raw_value ?? header.rawValue;
    const value = header.value ?? (raw === undefined ? '' : Buffer.from(raw, 'base64').toString('latin1'));
    const name = header.key.toLowerCase();
    if (name.startsWith(':')) {
      pseudo.set(name, value);
      continue;
    }
    const seen = headers[name];
    headers[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  return { pseudo, headers };
}

function bodyOf(message: Message): CapturedBody {
  const body = message.body;
  const text = body?.as_string ?? body?.asString;
  const bytes = text !== undefined ? Buffer.from(text, 'utf8') : Buffer.from(body?.as_bytes ?? body?.asBytes ?? '', 'base64');
  // Envoy keeps the first bytes of a long body and says so; the full length is not recorded.
  return { base64: bytes.toString('base64'), size: bytes.length, truncated: body?.truncated === true };
}

/**
 * One tap file's trace as a half for the ingest API. `capturedAt` is when the trace was written
 * (the file's time: the trace has none); Envoy does not record the latency, so it is 0.
 */
export function halfFromEnvoyTrace(text: string, options: { side: EnvoyTapSide; capturedAt: string; run?: string }): IngestHalfLine {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new RecordingError(`not valid JSON (${(error as Error).message})`);
  }
  const parsed = traceSchema.safeParse(json);
  const trace = parsed.success ? (parsed.data.http_buffered_trace ?? parsed.data.httpBufferedTrace) : undefined;
  if (!trace) throw new RecordingError('not an Envoy http_buffered_trace (a streamed trace, or another format: the tap must write JSON_BODY_AS_BYTES or JSON_BODY_AS_STRING buffered traces)');
  if (!trace.request) throw new RecordingError('the trace has no request');
  const request = headersOf(trace.request);
  const requestId = request.headers['x-request-id'];
  if (typeof requestId !== 'string' || requestId === '') throw new RecordingError('the request has no x-request-id, so its half cannot be joined with the other side');
  const method = request.pseudo.get(':method');
  const url = request.pseudo.get(':path');
  if (!method || !url) throw new RecordingError('the request has no :method or :path');
  const side = options.side === 'auto' ? (isShadowHost(request.pseudo.get(':authority') ?? request.headers.host?.toString()) ? 'candidate' : 'primary') : options.side;
  const response = trace.response ? headersOf(trace.response) : undefined;
  const status = Number(response?.pseudo.get(':status'));
  const answered = response !== undefined && Number.isInteger(status) && status >= 100 && status <= 999;
  return {
    side,
    requestId,
    ...(options.run ? { run: options.run } : {}),
    capturedAt: options.capturedAt,
    ...(side === 'primary' ? { request: { method, url, headers: request.headers, body: bodyOf(trace.request) } } : {}),
    response: answered
      ? { outcome: 'ok', status, headers: response.headers, body: bodyOf(trace.response!), latencyMs: 0 }
      : { outcome: 'error', status: null, headers: {}, body: { base64: '', size: 0, truncated: false }, latencyMs: 0, error: 'the tap recorded no response' },
  };
}
