import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from './errors.ts';

/**
 * A secret of this installation kept in `file` (mode 0600): read when it exists, else created
 * with `bytes` random bytes (base64url). Two processes creating it at once agree: the secret is
 * written in full to a private draft first and then linked into place, which only one of them
 * can do; both read the winner. `what` names the secret in errors.
 */
export function readOrCreateSecretFile(file: string, what: string, options: { bytes?: number; minLength?: number } = {}): string {
  const read = (): string => {
    const text = readFileSync(file, 'utf8').trim();
    if (text.length < (options.minLength ?? 16)) throw new ConfigError(`${what} file ${file} must hold at least ${options.minLength ?? 16} characters`);
    return text;
  };
  try {
    return read();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(draft, `${randomBytes(options.bytes ?? 32).toString('base64url')}\n`, { flag: 'wx', mode: 0o600 });
    linkSync(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new ConfigError(`cannot create ${what} file ${file}: ${(error as Error).message}`);
  } finally {
    rmSync(draft, { force: true });
  }
  return read();
}
