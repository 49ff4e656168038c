import { createServer, type Server } from 'node:net';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeStateFolder, runCli, startUp, watchProcessTree, type CliProcess } from '@shadowdiff/testkit';

const env = { DATABASE_URL: undefined, REDIS_URL: undefined, SHADOWDIFF_LOG_LEVEL: 'warn' };

/** Runs `shadowdiff up` to its end, watching every process it starts. */
async function upUntilExit(args: string[]): Promise<{ cli: CliProcess; code: number | null; started: number; left: unknown[] }> {
  const cli = runCli(['up', '--tap-port', '0', '--admin-port', '0', ...args], env);
  const tree = watchProcessTree(cli.child.pid!, 50);
  const timer = setTimeout(() => void cli.stop(), 60_000);
  const code = await cli.exited();
  clearTimeout(timer);
  await new Promise((r) => setTimeout(r, 500));
  tree.stop();
  return { cli, code, started: tree.seen().length, left: tree.stillRunning() };
}

/** A part that cannot start ends `up` with one message naming it, a non-zero exit, and nothing left running. */
describe('shadowdiff up when a part cannot start', () => {
  const folders: string[] = [];
  const stateDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'shadowdiff-fail-'));
    folders.push(dir);
    return dir;
  };
  let taken: Server;
  let takenPort: number;
  beforeAll(async () => {
    taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    takenPort = (taken.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((r) => taken.close(r));
    for (const dir of folders) removeStateFolder(dir);
  });

  it("names the API's port when it is taken, and how to choose another", async () => {
    const { cli, code, started, left } = await upUntilExit(['--api-port', String(takenPort), '--state-dir', stateDir()]);
    expect(code).toBe(1);
    const errors = cli.stderr().split('\n').filter((line) => line.startsWith('shadowdiff:'));
    expect(errors).toEqual([`shadowdiff: the API cannot listen on 127.0.0.1:${takenPort}: the port is in use by another process. Stop it, or choose another port with --api-port N (or SHADOWDIFF_API_PORT).`]);
    expect(cli.stderr()).not.toMatch(/Unhandled|at .*\.ts:\d+/);
    // Postgres, Redis, the worker and the demo had started before the API failed, and were stopped.
    expect(started).toBeGreaterThanOrEqual(4);
    expect(left).toEqual([]);
  });

  it('names Postgres when its data cannot be used, and where the data is', async () => {
    const dir = stateDir();
    // A data folder of a Postgres major version that does not exist: the server refuses it.
    // (As root, the folder must be one the postgres user can reach, and its own.)
    chmodSync(dir, 0o755);
    const data = join(dir, 'postgres');
    mkdirSync(data, { mode: 0o700 });
    writeFileSync(join(data, 'PG_VERSION'), '99\n');
    writeFileSync(join(data, 'postgresql.conf'), '');
    if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'postgres:postgres', data]);
    const { cli, code, left } = await upUntilExit(['--api-port', '0', '--state-dir', dir]);
    expect(code).toBe(1);
    const errors = cli.stderr().split('\n').filter((line) => line.startsWith('shadowdiff:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^shadowdiff: embedded Postgres could not start \(data in .*\): postgres exited/);
    expect(cli.stderr()).toMatch(/database files are incompatible with server/);
    expect(cli.stderr()).toMatch(/move it away and start again/);
    expect(left).toEqual([]);
  });

  it('refuses a second up on the same state folder and leaves the first one running', async () => {
    const dir = stateDir();
    const first = await startUp(['--tap-port', '0', '--api-port', '0', '--admin-port', '0', '--requests', '20', '--state-dir', dir], env, 120_000);
    const firstTree = watchProcessTree(first.cli.child.pid!);
    try {
      const second = await upUntilExit(['--api-port', '0', '--state-dir', dir]);
      expect(second.code).toBe(1);
      expect(second.cli.stderr()).toMatch(new RegExp(`another shadowdiff \\(pid ${first.cli.child.pid}, "shadowdiff up"; .*api :\\d+.*\\) is using the state folder`));
      expect(second.left).toEqual([]);
      // The first one's Postgres and Redis are untouched: it still answers. (A Postgres backend of
      // one client connection ends when its pool lets an idle connection go; that is no server.)
      const servers = (list: { command: string }[]) => list.filter((p) => !/^postgres: \S+ \S+ 127\.0\.0\.1\(\d+\)/.test(p.command));
      expect(servers(firstTree.stillRunning()).length).toBe(servers(firstTree.seen()).length);
      const runs = await fetch(`${first.apiUrl}/api/v1/runs`);
      expect(runs.status).toBe(200);
    } finally {
      first.cli.child.kill('SIGINT');
      expect(await first.cli.exited()).toBe(0);
      await new Promise((r) => setTimeout(r, 500));
      expect(firstTree.stillRunning()).toEqual([]);
      firstTree.stop();
    }
  });
});
