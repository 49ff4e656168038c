/**
 * Postgres errors classified by SQLSTATE class (https://www.postgresql.org/docs/current/errcodes-appendix.html),
 * so the worker and the API agree on what a failure means.
 */

/** Node's codes for a connection that could not be made or was lost. */
const CONNECTION_ERRORS: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

const codeOf = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
};

/**
 * Postgres refused the data itself (class 22: data exception, 23: integrity constraint
 * violation): the same statement fails again, so retrying cannot help.
 */
export function isDataError(error: unknown): boolean {
  const code = codeOf(error);
  return code !== undefined && (code.startsWith('22') || code.startsWith('23'));
}

/**
 * Postgres could not be reached or cannot serve now (class 08: connection exception; 57P01–57P03:
 * shutting down or starting up; 53: out of resources such as connections; or a Node connection
 * error): the same statement may succeed later, so retry rather than report a bug.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = codeOf(error);
  if (code !== undefined && (CONNECTION_ERRORS.has(code) || code.startsWith('08') || code.startsWith('53') || /^57P0[1-3]$/.test(code))) return true;
  // node-postgres reports a connect timeout and a dropped connection without a code.
  const message = (error as { message?: unknown } | null | undefined)?.message;
  return typeof message === 'string' && /timeout exceeded when trying to connect|Connection terminated/.test(message);
}
