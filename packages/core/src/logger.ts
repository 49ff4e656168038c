import { pino, destination, type Logger } from 'pino';

export type { Logger };

/** Headers whose values never reach a log line. */
const REDACTED_LOG_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  'headers["x-api-key"]',
  'token',
  'password',
];

/** The one logger factory: JSON lines, secrets censored. */
export function createLogger(options: { level?: string; name?: string; stderr?: boolean } = {}): Logger {
  return pino(
    {
      name: options.name ?? 'shadowdiff',
      level: options.level ?? 'info',
      redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' },
    },
    // The CLI keeps stdout for people and scripts; its logs go to stderr.
    options.stderr ? destination(2) : undefined,
  );
}

/** A logger that writes nothing, for tests and library defaults. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
