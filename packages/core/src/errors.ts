/** Base of every error shadowdiff raises on purpose: a stable code and the HTTP status it maps to. */
export class ShadowdiffError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus = 500,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class BadRequestError extends ShadowdiffError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('bad_request', message, 400, options);
  }
}

export class NotFoundError extends ShadowdiffError {
  constructor(message: string) {
    super('not_found', message, 404);
  }
}

/** The request collides with what exists (a name taken, a rule already there). */
export class ConflictError extends ShadowdiffError {
  constructor(message: string) {
    super('conflict', message, 409);
  }
}

export class UnauthorizedError extends ShadowdiffError {
  constructor(message = 'a valid bearer token is required') {
    super('unauthorized', message, 401);
  }
}

/** The caller is known but may not do this: a read token on a write endpoint, a foreign Host or Origin. */
export class ForbiddenError extends ShadowdiffError {
  constructor(message: string) {
    super('forbidden', message, 403);
  }
}

/** A configuration problem found at start-up; the message lists every bad value. */
export class ConfigError extends ShadowdiffError {
  constructor(
    message: string,
    readonly problems: readonly string[] = [],
  ) {
    super('config_invalid', message, 500);
  }
}

/** A dependency (Redis, Postgres, an upstream) could not be reached or started. */
export class DependencyError extends ShadowdiffError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('dependency_unavailable', message, 503, options);
  }
}

/**
 * The error for a server that could not listen: a port in use or not permitted is named with
 * the part that wanted it and how to choose another (`how`, such as "--api-port N").
 */
export function listenError(error: unknown, part: string, host: string, port: number, how: string): ShadowdiffError {
  const code = (error as NodeJS.ErrnoException).code;
  const where = `${host}:${port}`;
  if (code === 'EADDRINUSE') return new DependencyError(`the ${part} cannot listen on ${where}: the port is in use by another process. Stop it, or choose another port with ${how}.`, { cause: error });
  if (code === 'EACCES') return new DependencyError(`the ${part} may not listen on ${where} (ports below 1024 need privileges). Choose another port with ${how}.`, { cause: error });
  if (code === 'EADDRNOTAVAIL') return new DependencyError(`the ${part} cannot listen on ${where}: no such address on this machine.`, { cause: error });
  return new DependencyError(`the ${part} cannot listen on ${where}: ${(error as Error).message}`, { cause: error });
}
