import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'parse5';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, runCli, startUp, stopStarted, type CliProcess, type TestDatabase } from '@shadowdiff/testkit';

interface HtmlNode {
  nodeName: string;
  attrs?: { name: string; value: string }[];
  childNodes?: HtmlNode[];
  value?: string;
}

function walk(node: HtmlNode, visit: (node: HtmlNode) => void): void {
  visit(node);
  for (const child of node.childNodes ?? []) walk(child, visit);
}

const textOf = (node: HtmlNode): string => {
  let text = '';
  walk(node, (n) => {
    if (n.nodeName === '#text') text += n.value ?? '';
  });
  return text;
};

/** The release report as a person fetches it: the demo's run, `shadowdiff report` as a child process. */
describe('shadowdiff report and runs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shadowdiff-report-'));
  let db: TestDatabase;
  let up: CliProcess;
  let apiUrl: string;

  const cli = async (args: string[]): Promise<{ code: number | null; out: string; err: string }> => {
    const child = runCli(args, { SHADOWDIFF_LOG_LEVEL: 'warn' });
    const code = await child.exited();
    return { code, out: child.stdout(), err: child.stderr() };
  };

  beforeAll(async () => {
    db = await createTestDatabase(inject('pgAdminUrl'), { migrate: false });
    const stack = await startUp(
      ['--requests', '200', '--tap-port', '0', '--api-port', '0', '--state-dir', dir],
      { DATABASE_URL: db.url, REDIS_URL: inject('redisUrl'), SHADOWDIFF_LOG_LEVEL: 'warn' },
      120_000,
    );
    up = stack.cli;
    apiUrl = stack.apiUrl;
  });

  afterAll(async () => {
    const codes = await stopStarted({ processes: [up], db, dirs: [dir] });
    expect(codes).toEqual([0]);
  });

  it('writes one self-contained HTML file with every section of the report', async () => {
    const file = join(dir, 'report.html');
    const result = await cli(['report', '--run', 'demo', '--format', 'html', '-o', file, '--api', apiUrl]);
    expect(result.code, result.err).toBe(0);
    expect(result.out).toContain(`written to ${file}`);
    const document = parse(readFileSync(file, 'utf8')) as unknown as HtmlNode;

    const sections = new Map<string, HtmlNode>();
    const outside: string[] = [];
    let svgs = 0;
    walk(document, (node) => {
      const id = node.attrs?.find((a) => a.name === 'id')?.value;
      if (node.nodeName === 'section' && id) sections.set(id, node);
      if (node.nodeName === 'svg') svgs += 1;
      if (['script', 'link', 'img', 'iframe'].includes(node.nodeName)) outside.push(node.nodeName);
      for (const attr of node.attrs ?? []) if (['src', 'href'].includes(attr.name)) outside.push(`${attr.name}=${attr.value}`);
    });
    expect([...sections.keys()]).toEqual(['verdict', 'findings', 'endpoints', 'top-fields', 'status-matrix', 'latency', 'schema-drift', 'noise']);
    expect(outside).toEqual([]);
    expect(svgs).toBeGreaterThanOrEqual(4);

    expect(textOf(sections.get('verdict')!)).toMatch(/PASS|FAIL/);
    // It leads with what changed: the demo's rename and its failing product lookups, each one line.
    const findings = textOf(sections.get('findings')!);
    expect(findings).toContain('field renamed body.email → body.emailAddress (same values)');
    expect(findings).toContain('status 200 → 500 (body replaced)');
    expect(findings).toMatch(/Noise: value changed on body\.generatedAt, body\.traceId/);
    expect(textOf(sections.get('endpoints')!)).toContain('GET /api/products/{id}');
    expect(textOf(sections.get('top-fields')!)).toContain('body.emailAddress');
    expect(textOf(sections.get('status-matrix')!)).toMatch(/200/);
    expect(textOf(sections.get('latency')!)).toMatch(/p99/);
    const drift = textOf(sections.get('schema-drift')!);
    expect(drift).toMatch(/Fields added by the candidate/);
    expect(drift).toMatch(/Fields whose type changed/);
    expect(textOf(sections.get('noise')!)).toMatch(/noise/);
  });

  it('prints markdown and JSON reports to standard output', async () => {
    const markdown = await cli(['report', '--run', 'demo', '--format', 'markdown', '--api', apiUrl]);
    expect(markdown.code).toBe(0);
    expect(markdown.out).toMatch(/^# Release validation report: demo/);
    const json = await cli(['report', '--run', 'demo', '--format', 'json', '--api', apiUrl]);
    expect(JSON.parse(json.out).gate.verdict).toMatch(/pass|fail/);
  });

  it('lists and shows runs', async () => {
    const list = await cli(['runs', '--api', apiUrl]);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/^run\s+state\s+kept\s+exchanges/);
    expect(list.out).toMatch(/\ndemo\s+active\s+-\s+\d+\s+\d+\.\d%\s+(pass|fail)/);
    const show = await cli(['runs', 'show', 'demo', '--api', apiUrl]);
    expect(show.out).toMatch(/GET \/api\/users\/\{id\}\s+\d+\s+\d+\.\d%/);
    const created = await cli(['runs', 'create', 'release-7', '--primary-label', 'v6', '--candidate-label', 'v7', '--api', apiUrl]);
    expect(created.out).toMatch(/created run release-7/);
    expect((await cli(['runs', 'close', 'release-7', '--api', apiUrl])).out).toMatch(/closed run release-7/);
    expect((await cli(['runs', '--api', apiUrl])).out).toMatch(/release-7\s+closed/);
  });

  it('says clearly when the run does not exist or the API cannot be reached', async () => {
    const missing = await cli(['report', '--run', 'nope', '--api', apiUrl]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/no run with id or name 'nope'/);
    const unreachable = await cli(['runs', '--api', 'http://127.0.0.1:9']);
    expect(unreachable.code).toBe(1);
    expect(unreachable.err).toMatch(/cannot reach the shadowdiff API at http:\/\/127\.0\.0\.1:9/);
  });
});
