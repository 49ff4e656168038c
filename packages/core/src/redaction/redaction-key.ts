import { join } from 'node:path';
import { readOrCreateSecretFile } from '../secret-file.ts';

/** Where the redaction key comes from. */
export interface RedactionKeySource {
  key?: string;
  keyFile?: string;
  /** The default key file lives here when neither `key` nor `keyFile` is given. */
  stateDir: string;
}

/**
 * The HMAC key for redaction: the configured key, else the key file's content. A missing key
 * file is created with a random key (mode 0600) so that restarts, and other taps sharing the
 * file, keep hashing equal secrets to equal values.
 */
export function loadRedactionKey(source: RedactionKeySource): Buffer {
  if (source.key !== undefined) return Buffer.from(source.key, 'utf8');
  return Buffer.from(readOrCreateSecretFile(source.keyFile ?? join(source.stateDir, 'redaction.key'), 'redaction key'), 'utf8');
}
