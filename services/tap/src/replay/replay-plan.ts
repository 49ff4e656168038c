/** Which recorded exchanges a replay sends, and with which headers; the others are skipped with a reason. */
import type { RecordedExchange } from '@shadowdiff/recordings';
import { replayHeaders } from './replay-request.ts';

/** What to do with requests whose stored values were redacted. */
export type RedactedPolicy = 'skip' | 'send' | 'env';

export type SkipReason = 'unsafe method' | 'redacted values' | 'no recorded response';

export interface PlanOptions {
  allowUnsafe: boolean;
  redacted: RedactedPolicy;
  /** Whether the primary is called (re-drive) or its recorded response stands in for it. */
  redrive: boolean;
  env: NodeJS.ProcessEnv;
}

export type Planned = { send: true; headers: string[] } | { send: false; reason: SkipReason; detail?: string };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The environment variable that fills a redacted header: `SHADOWDIFF_REPLAY_HEADER_AUTHORIZATION`. */
export const envNameForHeader = (name: string): string => `SHADOWDIFF_REPLAY_HEADER_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;

function dropHeader(raw: string[], name: string): void {
  for (let i = raw.length - 2; i >= 0; i -= 2) if (raw[i]!.toLowerCase() === name) raw.splice(i, 2);
}

export function planExchange(exchange: RecordedExchange, options: PlanOptions): Planned {
  if (!options.allowUnsafe && !SAFE_METHODS.has(exchange.request.method.toUpperCase())) return { send: false, reason: 'unsafe method' };
  if (!options.redrive && !exchange.response) return { send: false, reason: 'no recorded response' };
  const headers = replayHeaders(exchange);
  // A recording that kept the primary's body decoded (HAR) compares it with the candidate's:
  // asking the candidate for an uncompressed answer keeps Content-Encoding out of the comparison.
  if (!options.redrive && exchange.response?.decoded) dropHeader(headers, 'accept-encoding');
  const missing = exchange.missing ?? [];
  if (missing.length === 0 || options.redacted === 'send') return { send: true, headers };
  if (options.redacted === 'skip') return { send: false, reason: 'redacted values', detail: missing.join(', ') };
  // From the environment: every redacted header must be given; a redacted body cannot be.
  for (const what of missing) {
    const header = /^header (.+)$/.exec(what)?.[1];
    const value = header === undefined ? undefined : options.env[envNameForHeader(header)];
    if (value === undefined) return { send: false, reason: 'redacted values', detail: header === undefined ? what : `${what} (set ${envNameForHeader(header)})` };
    for (let i = 0; i < headers.length; i += 2) if (headers[i]!.toLowerCase() === header) headers[i + 1] = value;
  }
  return { send: true, headers };
}
