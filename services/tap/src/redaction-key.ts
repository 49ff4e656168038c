import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError } from '@shadowdiff/core';

/** Where the redaction key comes from. */
export interface RedactionKeySource {
  key?: string;
  keyFile?: string;
  /** The default key file lives here when neither `key` nor `keyFile` is given. */
  stateDir: string;
}

function readKey(file: string): Buffer {
  const text = readFileSync(file, 'utf8').trim();
  if (text.length < 16) throw new ConfigError(`redaction key file ${file} must hold at least 16 characters`);
  return Buffer.from(text, 'utf8');
}

/**
 * The HMAC key for redaction: the configured key, else the key file's content. A missing key
 * file is created with a random key (mode 0600) so that restarts, and other taps sharing the
 * file, keep hashing equal secrets to equal values. Two processes creating it at once agree:
 * the key is written in full to a private file first and then linked into place, which only
 * one of them can do; both read the winner.
 */
export function loadRedactionKey(source: RedactionKeySource): Buffer {
  if (source.key !== undefined) return Buffer.from(source.key, 'utf8');
  const file = source.keyFile ?? join(source.stateDir, 'redaction.key');
  try {
    return readKey(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(draft, `${randomBytes(32).toString('base64url')}\n`, { flag: 'wx', mode: 0o600 });
    linkSync(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new ConfigError(`cannot create redaction key file ${file}: ${(error as Error).message}`);
    }
  } finally {
    rmSync(draft, { force: true });
  }
  return readKey(file);
}
