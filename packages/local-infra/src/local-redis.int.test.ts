import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRedis, type LocalRedis } from './local-redis.ts';

describe('the local redis-server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sd-redis-password-'));
  let redis: LocalRedis;

  beforeAll(async () => {
    redis = await startLocalRedis({ dir });
  });
  afterAll(async () => {
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('wants the password of this state folder, kept private and off the command line', async () => {
    const password = readFileSync(join(dir, 'password'), 'utf8').trim();
    expect(password.length).toBeGreaterThanOrEqual(32);
    for (const file of ['password', 'redis.conf']) expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600);
    expect(new URL(redis.url).password).toBe(password);

    // Without the password: refused.
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = createConnection({ port: redis.port, host: '127.0.0.1' }, () => socket.write('PING\r\n'));
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString());
      });
      socket.once('error', reject);
    });
    expect(reply).toMatch(/^-NOAUTH/);

    const client = new Redis(redis.url);
    expect(await client.ping()).toBe('PONG');
    const pid = /process_id:(\d+)/.exec(await client.info('server'))![1]!;
    client.disconnect();
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).not.toContain(password);
  });

  it('keeps the same password across restarts on the same folder', async () => {
    const before = redis.url;
    await redis.stop();
    redis = await startLocalRedis({ dir, port: redis.port });
    expect(redis.url).toBe(before);
  });
});
