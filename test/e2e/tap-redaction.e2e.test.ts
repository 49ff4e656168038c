import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, eventually, startUp, startUpstream, stopStarted, type CliProcess, type TestDatabase, type TestUpstream } from '@shadowdiff/testkit';

// Unique, so a hit anywhere can only come from this test's traffic.
const tag = Math.random().toString(36).slice(2, 10);
const SECRETS = {
  password: `pw-${tag}-hunter2`,
  card: `4111-${tag}-1111`,
  candidateCard: `5500-${tag}-0004`,
  bearer: `bearer-${tag}-token`,
  cookie: `cookie-${tag}-sid`,
  apiKey: `apikey-${tag}-k`,
  custom: `custom-${tag}-header`,
  setCookie: `setcookie-${tag}-session`,
  query: `qs-${tag}-token`,
  signature: `sig-${tag}-amz`,
  formPassword: `form-${tag}-pw`,
};

/** Every value stored in Redis, whatever its type, as text. */
async function dumpRedis(url: string): Promise<string> {
  const redis = new Redis(url);
  const parts: string[] = [];
  try {
    const keys = await redis.keys('*');
    for (const key of keys) {
      const type = await redis.type(key);
      parts.push(key);
      if (type === 'string') parts.push((await redis.get(key)) ?? '');
      else if (type === 'hash') parts.push(JSON.stringify(await redis.hgetall(key)));
      else if (type === 'list') parts.push(JSON.stringify(await redis.lrange(key, 0, -1)));
      else if (type === 'set') parts.push(JSON.stringify(await redis.smembers(key)));
      else if (type === 'zset') parts.push(JSON.stringify(await redis.zrange(key, 0, -1)));
      else if (type === 'stream') parts.push(JSON.stringify(await redis.xrange(key, '-', '+')));
    }
  } finally {
    redis.disconnect();
  }
  return parts.join('\n');
}

/** Every row of every table in the database, as JSON text. */
async function dumpPostgres(db: TestDatabase): Promise<string> {
  const { rows: tables } = await db.pool.query<{ name: string }>("SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = 'public'");
  const parts: string[] = [];
  for (const { name } of tables) {
    const { rows } = await db.pool.query(`SELECT row_to_json(t)::text AS row FROM ${name} t`);
    for (const r of rows) parts.push(r.row as string);
  }
  return parts.join('\n');
}

/**
 * Secrets in requests and in every response (headers, JSON bodies, a gzip JSON body) are
 * redacted before the capture is queued: nothing of them reaches Redis, Postgres or the logs,
 * and equal secrets still compare equal.
 */
describe('redaction through the whole pipeline (shadowdiff up)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sd-redact-'));
  let primary: TestUpstream;
  let candidate: TestUpstream;
  let db: TestDatabase;
  let cli: CliProcess;
  let tapUrl: string;
  let apiUrl: string;

  beforeAll(async () => {
    const answer = (card: string, version: number) =>
      startUpstream((_req, res, body) => {
        const text = body.toString();
        const sent = (text.startsWith('{') ? JSON.parse(text) : {}) as { password?: string };
        res.setHeader('content-type', 'application/json');
        res.setHeader('content-encoding', 'gzip');
        res.setHeader('set-cookie', [`session=${SECRETS.setCookie}; Path=/; HttpOnly`, 'theme=dark']);
        res.end(gzipSync(JSON.stringify({ echoed: { password: sent.password }, password: sent.password, card: { number: card, brand: 'visa' }, version })));
      });
    primary = await answer(SECRETS.card, 1);
    candidate = await answer(SECRETS.candidateCard, 2);
    db = await createTestDatabase(inject('pgAdminUrl'), { migrate: false });
    const config = join(dir, 'shadowdiff.yaml');
    writeFileSync(
      config,
      [
        'tap:',
        '  adminPort: 0',
        '  mirrorUnsafeMethods: true',
        '  redaction:',
        '    headers: [x-custom-token]',
        "    bodyPaths: ['$.password', '$.card.number', '$..password']",
        '',
      ].join('\n'),
    );
    ({ cli, tapUrl, apiUrl } = await startUp(
      ['--primary', primary.url, '--candidate', candidate.url, '--run', 'redaction-e2e', '--tap-port', '0', '--api-port', '0', '--state-dir', dir, '--config', config],
      { DATABASE_URL: db.url, REDIS_URL: inject('redisUrl'), SHADOWDIFF_LOG_LEVEL: 'debug' },
    ));
  });
  afterAll(async () => {
    const codes = await stopStarted({ processes: [cli], upstreams: [primary, candidate], db, dirs: [dir] });
    expect(codes).toEqual([0]);
  });

  it('keeps every secret out of Redis, Postgres, the logs, the API and the report; equal secrets still compare equal', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${tapUrl}/login/${i}?access_token=${SECRETS.query}&X-Amz-Signature=${SECRETS.signature}&page=${i}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${SECRETS.bearer}`,
          cookie: `sid=${SECRETS.cookie}; theme=dark`,
          'x-api-key': SECRETS.apiKey,
          'x-custom-token': SECRETS.custom,
        },
        body: JSON.stringify({ user: 'ada', password: SECRETS.password, card: { number: SECRETS.card } }),
      });
      // The client itself gets the primary's answer, secrets and all.
      const answer = (await res.json()) as { password: string; card: { number: string } };
      expect(answer.password).toBe(SECRETS.password);
      expect(answer.card.number).toBe(SECRETS.card);
    }

    const form = await fetch(`${tapUrl}/form`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `user=ada&password=${SECRETS.formPassword}`,
    });
    expect(form.status).toBe(200);

    const differences = await eventually(async () => {
      const { rows } = await db.pool.query<{ field: string; primary_value: unknown; other_value: unknown }>(
        "SELECT d.field, d.primary_value, d.other_value FROM differences d JOIN runs r ON r.id = d.run_id WHERE r.name = 'redaction-e2e'",
      );
      return rows.filter((r) => r.field === 'body.card.number').length >= 5 ? rows : undefined;
    }, 30_000);
    expect(differences).toBeDefined();
    const fields = new Set(differences!.map((d) => d.field));
    // Different secrets still differ (by their hashes); equal ones do not.
    expect(fields.has('body.card.number')).toBe(true);
    expect(fields.has('body.version')).toBe(true);
    expect(fields.has('body.password')).toBe(false);
    expect(fields.has('body.echoed.password')).toBe(false);
    const card = differences!.find((d) => d.field === 'body.card.number')!;
    expect(card.primary_value).toMatch(/^redacted:[0-9a-f]{32}$/);
    expect(card.other_value).toMatch(/^redacted:[0-9a-f]{32}$/);

    const stored = await dumpPostgres(db);
    expect(stored).toMatch(/redacted:/);
    // All six exchanges stored: then nothing of the run stays in Redis (a stored batch is removed
    // at once). What passed through Redis is in Postgres as it was queued, so the scan there
    // shows the redaction happened before the queue.
    await eventually(async () => Number((await db.pool.query("SELECT count(*) AS n FROM exchanges e JOIN runs r ON r.id = e.run_id WHERE r.name = 'redaction-e2e'")).rows[0].n) === 6, 30_000);
    const queued = await eventually(async () => {
      const dump = await dumpRedis(inject('redisUrl'));
      return dump.includes('redaction-e2e') ? undefined : dump;
    }, 10_000);
    expect(queued).toBeDefined();
    // Everything the dashboard and the report show: runs, endpoints, fields, differences, each exchange.
    const get = async (path: string): Promise<string> => (await fetch(`${apiUrl}/api/v1${path}`)).text();
    const route = encodeURIComponent('POST /login/{id}');
    const shown = [
      await get('/runs'),
      await get('/runs/redaction-e2e/endpoints'),
      await get(`/runs/redaction-e2e/endpoints/${route}/fields`),
      await get('/runs/redaction-e2e/differences?limit=500'),
      await get('/runs/redaction-e2e/report?format=json'),
      await get('/runs/redaction-e2e/report?format=markdown'),
      await get('/runs/redaction-e2e/report?format=html'),
    ];
    const { rows: exchanges } = await db.pool.query<{ id: string; url: string }>("SELECT e.id, e.url FROM exchanges e JOIN runs r ON r.id = e.run_id WHERE r.name = 'redaction-e2e'");
    for (const { id } of exchanges) shown.push(await get(`/exchanges/${id}`));
    const urls = exchanges.map((e) => e.url).filter((u) => u.includes('access_token='));
    expect(urls.length).toBeGreaterThan(0);
    // The names stay, the values do not.
    for (const url of urls) expect(url).toMatch(/access_token=redacted:[0-9a-f]{32}&X-Amz-Signature=redacted:[0-9a-f]{32}&page=\d/);
    const api = shown.join('\n');
    const logs = cli.stdout() + cli.stderr();
    for (const [name, secret] of Object.entries(SECRETS)) {
      expect(stored.includes(secret), `${name} in Postgres`).toBe(false);
      expect(queued!.includes(secret), `${name} in Redis`).toBe(false);
      expect(logs.includes(secret), `${name} in the logs`).toBe(false);
      expect(api.includes(secret), `${name} in the API's answers or the report`).toBe(false);
    }
  });
});
