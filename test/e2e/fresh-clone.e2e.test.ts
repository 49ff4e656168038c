import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { removeStateFolder, startUp, watchProcessTree, type CliPlace } from '@shadowdiff/testkit';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const asRoot = process.getuid?.() === 0;
const NOBODY = 65534;

/**
 * A clone of this repository at `path`, with this checkout's installed packages and builds (the
 * dashboard and the compiled dist/ folders) copied in, as `npm start` would install and build
 * them, so the clone's own compiled binary runs.
 */
function cloneInto(path: string): string {
  mkdirSync(dirname(path), { recursive: true });
  execFileSync('git', ['clone', '--quiet', '--no-hardlinks', repo, path]);
  const workspaces = ['packages', 'services'].flatMap((group) => readdirSync(join(repo, group)).map((name) => `${group}/${name}`));
  const installed = ['node_modules', ...workspaces.flatMap((workspace) => [`${workspace}/node_modules`, `${workspace}/dist`])];
  for (const relative of installed) {
    if (existsSync(join(repo, relative))) cpSync(join(repo, relative), join(path, relative), { recursive: true, verbatimSymlinks: true });
  }
  return path;
}

/**
 * The README's `npm start` from a fresh clone, wherever a user puts it: `shadowdiff up` runs the
 * demo, prints its table, stops on Ctrl-C (SIGINT), and leaves no process behind.
 */
describe('shadowdiff up from a fresh clone', () => {
  const roots: string[] = [];
  const stateFolders: string[] = [];
  afterAll(() => {
    for (const dir of stateFolders) removeStateFolder(dir);
    for (const dir of roots) execFileSync('rm', ['-rf', dir]);
  });

  const places: { name: string; path: (root: string) => string; runAs?: number; skip?: boolean }[] = [
    { name: 'in a folder only its owner can enter (mktemp -d, mode 0700)', path: (root) => join(root, 'shadowdiff') },
    { name: 'in a path with spaces', path: (root) => join(root, 'my projects', 'shadow diff') },
    { name: 'as a user other than root', path: (root) => join(root, 'shadowdiff'), runAs: NOBODY, skip: !asRoot },
  ];

  for (const place of places) {
    it.skipIf(place.skip)(place.name, async () => {
      const root = mkdtempSync(join(tmpdir(), 'shadowdiff-clone-'));
      roots.push(root);
      expect(statSync(root).mode & 0o777).toBe(0o700);
      const checkout = cloneInto(place.path(root));
      stateFolders.push(join(checkout, '.shadowdiff'));
      const where: CliPlace = { checkout, cwd: checkout };
      if (place.runAs !== undefined) {
        // That user's own checkout: the clone is theirs, and its folder theirs to enter.
        chmodSync(root, 0o755);
        execFileSync('chown', ['-R', `${place.runAs}:${place.runAs}`, checkout]);
        Object.assign(where, { uid: place.runAs, gid: place.runAs });
      }
      const env = { DATABASE_URL: undefined, REDIS_URL: undefined, SHADOWDIFF_LOG_LEVEL: 'warn', HOME: checkout };
      const up = await startUp(['--tap-port', '0', '--api-port', '0', '--admin-port', '0', '--requests', '60'], env, 120_000, where);
      const tree = watchProcessTree(up.cli.child.pid!);
      try {
        const out = up.cli.stdout();
        expect(out).toMatch(/^route\s+exchanges\s+real diffs/m);
        expect(out).toMatch(/^GET \/api\/users\/\{id\}\s+\d+/m);
        expect(out).toMatch(/postgres\s+embedded/);
        // postgres, redis-server, the worker and the demo's three upstreams.
        expect(tree.seen().length).toBeGreaterThanOrEqual(6);
        up.cli.child.kill('SIGINT');
        expect(await up.cli.exited(), up.cli.stderr()).toBe(0);
        await new Promise((r) => setTimeout(r, 500));
        expect(tree.stillRunning()).toEqual([]);
      } finally {
        tree.stop();
        await up.cli.stop();
      }
      if (asRoot && place.runAs === undefined) {
        // The state folder stayed the user's own: nothing opened it to other users.
        expect(statSync(root).mode & 0o777).toBe(0o700);
      }
    });
  }
});
