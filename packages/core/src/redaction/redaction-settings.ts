import { loadRedactionKey } from './redaction-key.ts';
import type { RedactorOptions } from './redactor.ts';

/**
 * The parts of shadowdiff's configuration redaction is made from (`tap.redaction`,
 * `tap.maxBodyBytes`, `stateDir`); the whole configuration fits.
 */
export interface RedactionSettings {
  stateDir: string;
  tap: {
    maxBodyBytes: number;
    redaction: {
      headers: readonly string[];
      queryParams: readonly string[];
      bodyPaths: readonly string[];
      key?: string | undefined;
      keyFile?: string | undefined;
    };
  };
}

/**
 * The redaction a configuration asks for, its key loaded (or created) as configured. Every
 * process that queues captures (taps, recorders, the ingest API) redacts with it, so equal
 * secrets hash equal whichever way an exchange came in.
 */
export function redactionFromConfig(config: RedactionSettings): RedactorOptions {
  const { redaction, maxBodyBytes } = config.tap;
  return {
    key: loadRedactionKey({ key: redaction.key, keyFile: redaction.keyFile, stateDir: config.stateDir }),
    headers: redaction.headers,
    queryParams: redaction.queryParams,
    bodyPaths: redaction.bodyPaths,
    // Compressed bodies inflate: allow a generous multiple of the capture cap, no more.
    maxDecodedBytes: Math.max(maxBodyBytes * 8, 1024 * 1024),
  };
}
