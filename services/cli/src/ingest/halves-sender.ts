import type { IngestResult } from '@shadowdiff/api';
import type { IngestHalfLine } from '@shadowdiff/recordings';
import { ApiRequestError } from '../api-client.ts';

/** Where halves are posted, and as whom. */
export interface IngestTarget {
  /** The API's base URL (without /api/v1). */
  url: string;
  token?: string | undefined;
}

/** What the API answered for one batch; `wait` asks to post the same batch again after that many ms. */
export type BatchAnswer = { result: IngestResult } | { wait: number; why: string } | { tooLarge: true };

/**
 * Posts halves as NDJSON to `/api/v1/ingest/halves`. A busy queue (429), an API or Redis away
 * (503, no answer) ask for a retry; a body over the API's limit (413) for smaller batches; a
 * missing or read-only token ends the command.
 */
export async function postHalves(target: IngestTarget, halves: readonly IngestHalfLine[]): Promise<BatchAnswer> {
  let res: Response;
  try {
    res = await fetch(`${target.url}/api/v1/ingest/halves`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', ...(target.token ? { authorization: `Bearer ${target.token}` } : {}) },
      body: halves.map((h) => JSON.stringify(h)).join('\n'),
      signal: AbortSignal.timeout(60_000),
    });
  } catch (error) {
    return { wait: 2000, why: `the API at ${target.url} does not answer (${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message})` };
  }
  const text = await res.text();
  const message = (): string => {
    try {
      return (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text.slice(0, 300);
    } catch {
      return text.slice(0, 300);
    }
  };
  if (res.status === 202) return { result: JSON.parse(text) as IngestResult };
  if (res.status === 413) return { tooLarge: true };
  if (res.status === 429 || res.status === 503) {
    const after = Number(res.headers.get('retry-after'));
    return { wait: Number.isFinite(after) && after > 0 ? after * 1000 : 2000, why: message() };
  }
  if (res.status === 401) throw new ApiRequestError('unauthorized', `the API at ${target.url} wants a write token: set SHADOWDIFF_API_TOKEN`, 401);
  if (res.status === 403) throw new ApiRequestError('forbidden', `the API at ${target.url} refused the token: ${message()}`, 403);
  throw new ApiRequestError('api_failed', `the API at ${target.url} could not take the halves (${res.status}): ${message()}`, res.status);
}
