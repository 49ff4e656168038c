/**
 * shadowdiff's own export (`shadowdiff export --run RUN > run.ndjson`): one stored exchange per
 * line, the capture as the workers received it, marked with the format's name and version.
 */
import { z } from 'zod';
import { captureSchema, capturedResponseSchema, type CapturedBody, type CapturedRequest, type CapturedResponse } from '@shadowdiff/core';
import { RecordingError, type HeaderPairs, type RecordedExchange, type RecordedResponse } from './recorded.ts';

export const EXPORT_FORMAT = 'shadowdiff.exchange.v1';

/**
 * The responses are there when the workers kept them (exchanges that differ, and a sample of
 * identical ones); the request always is.
 */
export const exportLineSchema = captureSchema.extend({
  format: z.literal(EXPORT_FORMAT),
  primary: capturedResponseSchema.optional(),
  candidate: capturedResponseSchema.optional(),
});
export type ExportLine = z.infer<typeof exportLineSchema>;

/** Whether the first line is one of ours. */
export function looksLikeExport(firstLine: string): boolean {
  return firstLine.trimStart().startsWith('{') && firstLine.includes(`"${EXPORT_FORMAT}"`);
}

const REDACTED = /redacted:[0-9a-f]{32}/;
const REDACTED_IN_FORM = /redacted%3A[0-9a-f]{32}/i;

const pairsOf = (headers: Record<string, string | string[]>): HeaderPairs =>
  Object.entries(headers).flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((v): [string, string] => [name, v]));

const bytesOf = (body: CapturedBody): Buffer => Buffer.from(body.base64, 'base64');

/** What redaction or the size cap took from a stored request. */
function missingOf(request: CapturedRequest): string[] {
  const missing = pairsOf(request.headers).filter(([, value]) => REDACTED.test(value)).map(([name]) => `header ${name.toLowerCase()}`);
  const query = request.url.includes('?') ? new URLSearchParams(request.url.slice(request.url.indexOf('?') + 1)) : undefined;
  for (const [name, value] of query ?? []) if (REDACTED.test(value)) missing.push(`query ${name}`);
  if (request.body.withheld) missing.push(`body (${request.body.withheld})`);
  else if (request.body.truncated) missing.push(`body (cut at ${Buffer.byteLength(request.body.base64, 'base64')} of ${request.body.size} bytes)`);
  // Form bodies keep the marker percent-encoded (`redacted%3A…`).
  else if (REDACTED.test(bytesOf(request.body).toString('utf8')) || REDACTED_IN_FORM.test(bytesOf(request.body).toString('latin1'))) missing.push('body');
  return [...new Set(missing)];
}

function responseOf(response: CapturedResponse | undefined): RecordedResponse | undefined {
  if (!response || response.outcome !== 'ok' || response.status === null) return undefined;
  return {
    status: response.status,
    headers: pairsOf(response.headers),
    body: bytesOf(response.body),
    decoded: false,
    latencyMs: response.latencyMs,
    ...(response.body.truncated ? { truncated: { size: response.body.size } } : {}),
  };
}

/** A stored exchange as a recorded one: its request, and the primary's response when it was kept. */
export function exchangeOfExportLine(line: ExportLine, where: string): RecordedExchange {
  const missing = missingOf(line.request);
  const response = responseOf(line.primary);
  return {
    origin: `${where} (capture ${line.id})`,
    startedAtMs: Date.parse(line.capturedAt),
    captureId: line.id,
    request: { method: line.request.method, url: line.request.url, headers: pairsOf(line.request.headers), body: bytesOf(line.request.body) },
    ...(response ? { response } : {}),
    ...(missing.length ? { missing } : {}),
  };
}

export function readExportLines(text: string): RecordedExchange[] {
  const out: RecordedExchange[] = [];
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const where = `line ${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new RecordingError(`${where}: not valid JSON (${(error as Error).message})${i === lines.length - 1 ? '; the file may be cut short' : ''}`);
    }
    const parsed = exportLineSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new RecordingError(`${where}: ${issue.path.join('.') || 'the line'}: ${issue.message}`);
    }
    out.push(exchangeOfExportLine(parsed.data, where));
  }
  return out.sort((a, b) => a.startedAtMs - b.startedAtMs);
}
