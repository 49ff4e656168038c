import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { processStat } from './process-info.ts';
import { claimStateFolder, StateFolderBusyError } from './state-owner.ts';

const startTicks = (pid: number): number => processStat(pid)!.startTicks;

describe('claimStateFolder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shadowdiff-owner-'));
  afterEach(() => rmSync(join(dir, 'owner.json'), { force: true }));

  it('refuses a folder whose owner is alive, naming its pid and ports', async () => {
    const other = spawn('sleep', ['30']);
    await new Promise((r) => other.once('spawn', r));
    try {
      const owner = { pid: other.pid!, startTicks: startTicks(other.pid!), command: 'shadowdiff up', ports: { tap: 8080, api: 8081 } };
      writeFileSync(join(dir, 'owner.json'), JSON.stringify(owner));
      expect(() => claimStateFolder(dir, 'shadowdiff up')).toThrow(StateFolderBusyError);
      expect(() => claimStateFolder(dir, 'shadowdiff up')).toThrow(`another shadowdiff (pid ${other.pid}, "shadowdiff up"; tap :8080, api :8081) is using the state folder ${dir}`);
    } finally {
      other.kill();
    }
  });

  it('takes over from an owner that died, or whose pid now belongs to another process', async () => {
    const other = spawn('sleep', ['30']);
    await new Promise((r) => other.once('spawn', r));
    // The same pid, started at another time: a reused pid, not the owner.
    writeFileSync(join(dir, 'owner.json'), JSON.stringify({ pid: other.pid, startTicks: startTicks(other.pid!) - 1, command: 'shadowdiff up', ports: {} }));
    claimStateFolder(dir, 'shadowdiff up').release();
    other.kill();
    await new Promise((r) => other.once('exit', r));
    writeFileSync(join(dir, 'owner.json'), JSON.stringify({ pid: other.pid, startTicks: null, command: 'shadowdiff up', ports: {} }));
    const claim = claimStateFolder(dir, 'shadowdiff up');
    claim.notePort('api', 9000);
    expect(JSON.parse(readFileSync(join(dir, 'owner.json'), 'utf8'))).toMatchObject({ pid: process.pid, ports: { api: 9000 } });
    claim.release();
    expect(existsSync(join(dir, 'owner.json'))).toBe(false);
  });
});
