import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Outcome } from '@shadowdiff/core';
import { findFreePort } from '@shadowdiff/local-infra';
import { eventually, startUpstream, type TestUpstream } from '@shadowdiff/testkit';
import { counterValue, rawRequest, startTestTap, type TestTap } from '../../test/test-support.ts';

/** A TCP server that does `onSocket` with every connection: the candidate's misbehaviours. */
async function tcpCandidate(onSocket: (socket: Socket) => void): Promise<{ url: string; server: Server; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onSocket(socket);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, sockets };
}

const onRequest = (socket: Socket, then: () => void): void => {
  let seen = '';
  socket.on('data', (d: Buffer) => {
    seen += d.toString('latin1');
    if (seen.includes('\r\n\r\n')) {
      seen = '';
      then();
    }
  });
};

describe('inline tap: a failing candidate never reaches the client', () => {
  let primary: TestUpstream;
  let slow: TestUpstream;
  let failing: TestUpstream;
  const raw: Awaited<ReturnType<typeof tcpCandidate>>[] = [];
  const taps: Record<string, TestTap> = {};
  const expected: Record<string, { outcome: Outcome; status: number | null }> = {
    down: { outcome: 'refused', status: null },
    hanging: { outcome: 'timeout', status: null },
    slow: { outcome: 'ok', status: 200 },
    reset: { outcome: 'reset', status: null },
    garbage: { outcome: 'error', status: null },
    failing: { outcome: 'ok', status: 503 },
  };

  beforeAll(async () => {
    primary = await startUpstream((_req, res) => void res.end('{"from":"primary"}'));
    slow = await startUpstream((_req, res) => void setTimeout(() => res.end('late'), 2500));
    failing = await startUpstream((_req, res) => {
      res.statusCode = 503;
      res.end('down for maintenance');
    });
    const hanging = await tcpCandidate(() => undefined);
    const reset = await tcpCandidate((socket) =>
      onRequest(socket, () => {
        socket.write('HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\npartial');
        setTimeout(() => socket.resetAndDestroy(), 20);
      }),
    );
    const garbage = await tcpCandidate((socket) => onRequest(socket, () => socket.end('SSH-2.0-OpenSSH\r\n\x00\x01 not http at all\r\n\r\n')));
    raw.push(hanging, reset, garbage);
    const candidates: Record<string, string> = {
      down: `http://127.0.0.1:${await findFreePort()}`,
      hanging: hanging.url,
      slow: slow.url,
      reset: reset.url,
      garbage: garbage.url,
      failing: failing.url,
    };
    for (const [kind, url] of Object.entries(candidates)) {
      taps[kind] = await startTestTap({ primaryUrl: primary.url, candidateUrl: url, run: kind, shadowTimeoutMs: kind === 'slow' ? 4000 : 1500 });
    }
  });
  afterAll(async () => {
    for (const t of Object.values(taps)) await t.close();
    for (const r of raw) {
      for (const s of r.sockets) s.destroy();
      await new Promise((done) => r.server.close(done));
    }
    await Promise.all([primary?.close(), slow?.close(), failing?.close()]);
  });

  it('answers every request from the primary at once, and records each shadow outcome', async () => {
    const kinds = Object.keys(taps);
    const timings = await Promise.all(
      kinds.map(async (kind) => {
        const latencies: number[] = [];
        for (let i = 0; i < 10; i++) {
          const started = performance.now();
          const res = await rawRequest(`${taps[kind]!.url}/item/${i}`);
          latencies.push(performance.now() - started);
          expect(res.status).toBe(200);
          expect(res.body.toString()).toBe('{"from":"primary"}');
        }
        return { kind, worst: Math.max(...latencies) };
      }),
    );
    // The slowest candidate takes 2.5 s and the hanging one never answers: the client must not notice.
    for (const { kind, worst } of timings) expect(worst, kind).toBeLessThan(250);

    for (const kind of kinds) {
      const tap = taps[kind]!;
      await eventually(() => tap.captures.length >= 10, 8000);
      expect(tap.captures, kind).toHaveLength(10);
      for (const capture of tap.captures) {
        expect({ outcome: capture.candidate.outcome, status: capture.candidate.status }, kind).toEqual(expected[kind]);
        expect(capture.primary).toMatchObject({ outcome: 'ok', status: 200 });
      }
      expect(await counterValue(tap.metrics.shadowOutcomes, { outcome: expected[kind]!.outcome })).toBe(10);
    }
    expect(taps.hanging!.captures[0]!.candidate.latencyMs).toBeGreaterThanOrEqual(1400);
    expect(taps.reset!.captures[0]!.candidate.error).toBeTruthy();
  });
});
