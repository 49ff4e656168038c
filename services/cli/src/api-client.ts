import { Option, type Command } from 'commander';
import { loadConfig } from '@shadowdiff/config';
import { ShadowdiffError } from '@shadowdiff/core';

/** The API could not be reached or did not answer as it should. */
export class ApiRequestError extends ShadowdiffError {
  constructor(
    code: string,
    message: string,
    readonly status: number | null = null,
  ) {
    super(code, message, 502);
  }
}

export interface ApiResponse {
  status: number;
  contentType: string;
  text: string;
}

/** A small client of the shadowdiff REST API for the CLI commands. */
export interface ApiClient {
  readonly url: string;
  /** Parsed JSON of a 2xx answer; anything else is an `ApiRequestError` saying what went wrong. */
  json<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** The raw text of a 2xx answer. */
  text(method: string, path: string, body?: unknown): Promise<ApiResponse>;
}

/** `--api` and `--config`, shared by the commands that talk to the API. */
export function addApiOptions(command: Command): Command {
  return command
    .addOption(new Option('--api <url>', 'URL of the shadowdiff API (default: http://127.0.0.1:<api.port>, 8081 unless configured)'))
    .addOption(new Option('-c, --config <file>', 'YAML config file, for api.port and api.token (default: ./shadowdiff.yaml if present)'));
}

function describeFailure(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

/** A client for the API named by the flags; the token comes from the config (SHADOWDIFF_API_TOKEN). */
export function createApiClient(flags: { api?: string; config?: string }): ApiClient {
  const config = loadConfig(flags.config ? { file: flags.config } : {});
  const host = ['0.0.0.0', '::', '127.0.0.1', 'localhost'].includes(config.api.host) ? '127.0.0.1' : config.api.host;
  const base = (flags.api ?? `http://${host.includes(':') ? `[${host}]` : host}:${config.api.port}`).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+/.test(base)) throw new ApiRequestError('bad_api_url', `--api must be an http(s) URL, got '${base}'`);
  const token = config.api.token;

  const send = async (method: string, path: string, body?: unknown): Promise<ApiResponse> => {
    let res: Response;
    try {
      res = await fetch(`${base}/api/v1${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(60_000),
      });
    } catch (error) {
      throw new ApiRequestError(
        'api_unreachable',
        `cannot reach the shadowdiff API at ${base} (${describeFailure(error)}); is 'shadowdiff api' or 'shadowdiff up' running? Give its address with --api`,
      );
    }
    const text = await res.text();
    if (res.ok) return { status: res.status, contentType: res.headers.get('content-type') ?? '', text };
    let message = text.slice(0, 500);
    try {
      message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
    } catch {
      // not JSON: keep the text
    }
    if (res.status === 401) throw new ApiRequestError('unauthorized', `the API at ${base} wants a valid token: set SHADOWDIFF_API_TOKEN`, 401);
    if (res.status === 404) throw new ApiRequestError('not_found', message, 404);
    if (res.status === 400) throw new ApiRequestError('bad_request', `the API refused the request: ${message}`, 400);
    throw new ApiRequestError('api_failed', `the API at ${base} could not answer (${res.status}): ${message}`, res.status);
  };

  return {
    url: base,
    text: send,
    async json<T>(method: string, path: string, body?: unknown): Promise<T> {
      const res = await send(method, path, body);
      try {
        return JSON.parse(res.text) as T;
      } catch {
        throw new ApiRequestError('api_failed', `the API at ${base} answered with something that is not JSON`);
      }
    },
  };
}

/** `/runs/<run>` with the run id or name encoded as one path segment. */
export const runPath = (run: string, rest = ''): string => `/runs/${encodeURIComponent(run)}${rest}`;
