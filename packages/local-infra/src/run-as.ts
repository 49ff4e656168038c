import { spawnSync } from 'node:child_process';

/** The identity a server process runs as: the current user, or (as root) a system user. */
export interface RunAs {
  /** Set when the server must run as another user than the current one. */
  uid?: number;
  gid?: number;
  name: string;
}

function idOf(flag: '-u' | '-g', name: string): number | undefined {
  const result = spawnSync('id', [flag, name], { encoding: 'utf8' });
  const id = Number(result.stdout.trim());
  return result.status === 0 && Number.isInteger(id) ? id : undefined;
}

/**
 * Postgres refuses to run as root. As root, it runs as the `postgres` system user, created
 * (no home, no login shell) when the machine has none; otherwise it runs as the current user.
 */
export function postgresRunAs(): RunAs {
  if (process.getuid?.() !== 0) return { name: 'current user' };
  if (idOf('-u', 'postgres') === undefined) {
    const groupExists = spawnSync('getent', ['group', 'postgres']).status === 0;
    const args = ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', ...(groupExists ? ['-g', 'postgres'] : ['--user-group']), 'postgres'];
    const made = spawnSync('useradd', args, { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`cannot create the postgres system user (useradd ${args.join(' ')}): ${(made.stderr || made.error?.message || '').trim()}`);
  }
  const uid = idOf('-u', 'postgres');
  const gid = idOf('-g', 'postgres');
  if (uid === undefined || gid === undefined) throw new Error('the postgres system user has no uid or gid');
  return { uid, gid, name: 'postgres' };
}

/**
 * Whether `runAs` can reach `path`: enter it if it is a folder, execute it if it is a file.
 * Asked of the system itself (`test -x`, run as that user), so every folder above it counts,
 * as it will for the server.
 */
export function canReach(runAs: RunAs, path: string): boolean {
  if (runAs.uid === undefined) return true;
  return spawnSync('test', ['-x', path], { uid: runAs.uid, gid: runAs.gid!, stdio: 'ignore' }).status === 0;
}
