/**
 * The "plain Node proxy" peer: node:http in, undici out, streaming both ways with raw headers,
 * and nothing else (no mirroring, no capture). It shows what being a Node proxy costs at all.
 * Usage: plain-proxy.ts <upstream origin>; prints `listening <port>`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';

const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-connection', 'expect']);
const origin = process.argv[2]!;
const agent = new Agent({ connections: 256, keepAliveTimeout: 30_000 });

function endToEnd(raw: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (!HOP.has(raw[i]!.toLowerCase())) out.push(raw[i]!, raw[i + 1]!);
  return out;
}

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  agent.dispatch(
    { origin, method: req.method!, path: req.url!, headers: endToEnd(req.rawHeaders), body: hasBody ? req : null },
    {
      onConnect() {},
      onHeaders(status, raw, resume, statusText) {
        const list: string[] = [];
        for (const b of raw as unknown as Buffer[]) list.push(b.toString('latin1'));
        res.writeHead(status, statusText, endToEnd(list));
        res.on('drain', resume);
        return true;
      },
      onData(chunk) {
        return res.write(chunk);
      },
      onComplete() {
        res.end();
      },
      onError() {
        if (res.headersSent) res.destroy();
        else res.writeHead(502).end();
      },
    },
  );
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`));
process.on('SIGTERM', () => process.exit(0));
