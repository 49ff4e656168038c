/**
 * Property-based tests of configuration loading: whatever the file holds (random bytes, broken
 * YAML, documents with good and bad values) and whatever the environment says, loading gives a
 * valid configuration or one ConfigError naming every problem. Seeds are left to fast-check.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { ConfigError } from '@shadowdiff/core';
import { ENV_VARIABLES, loadConfig } from './load.ts';
import { configSchema, type ShadowdiffConfig } from './schema.ts';

let dir: string;
let fileCount = 0;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sdcfg-prop-'));
  // The YAML parser reports unknown tags and the like as process warnings: not under test here.
  vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
});
afterAll(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

function fileWith(content: string | Uint8Array): string {
  const file = join(dir, `shadowdiff-${fileCount++ % 8}.yaml`);
  writeFileSync(file, content);
  return file;
}

type Outcome = { config: ShadowdiffConfig } | { error: ConfigError };

/** Loads, and fails the property on anything thrown that is not a ConfigError. */
function load(file: string, env: Record<string, string> = {}): Outcome {
  try {
    return { config: loadConfig({ file, env }) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw new Error(`not a ConfigError: ${String(error)}`, { cause: error });
    expect(error.message.length).toBeGreaterThan(0);
    return { error };
  }
}

/** A loaded config is a valid one, and writing it back out loads the same config again. */
function expectValidAndStable(config: ShadowdiffConfig): void {
  expect(configSchema.safeParse(config).success).toBe(true);
  const again = load(fileWith(toYaml(config)));
  expect(again).toEqual({ config });
}

// ---------------------------------------------------------------------------------------------
// Documents

/** YAML syntax, and what it may mean: anchors, tags, directives, flow and block collections. */
const yamlSoup = fc
  .array(
    fc.oneof(
      fc.constantFrom(':', ': ', '- ', '[', ']', '{', '}', ',', '&a ', '*a', '!!set ', '!!omap ', '!!binary ', '!custom ', '|', '>', '# c', '"', "'", '\\', '%YAML 1.1\n', '%TAG ! tag:x,2000:\n', '---\n', '...\n', '<<: ', '? ', '\t', '\n', '\n  ', ' '),
      fc.constantFrom('tap', 'port', 'run', 'diff', 'rules', 'upstreams', 'primary', 'api', '__proto__', 'constructor', '8080', '-1', '.inf', '.nan', '0x1F', '1e999', 'null', '~', 'true', 'yes', '2001-12-14'),
      fc.string({ maxLength: 4 }),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

describe('loadConfig on any file', () => {
  it('random bytes, text and YAML fragments give a config or a ConfigError, never another exception', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.string(), fc.string({ unit: 'binary' }), yamlSoup, fc.jsonValue().map((v) => toYaml(v))), (content) => {
        const outcome = load(fileWith(content));
        if ('config' in outcome) expectValidAndStable(outcome.config);
        else {
          // Problems are listed one by one; a file that is not YAML, or not a mapping, says so instead.
          const { problems, message } = outcome.error;
          if (problems.length === 0) expect(message).toMatch(/not valid YAML|must hold a mapping/);
        }
      }),
      { numRuns: 200 },
    );
  });
});

/** One setting: where it is, values the schema accepts, values it rejects. */
interface Leaf {
  path: string;
  good: fc.Arbitrary<unknown>;
  bad: fc.Arbitrary<unknown>;
}

const oneOf = (...values: unknown[]): fc.Arbitrary<unknown> => fc.constantFrom(...values);
const positive = { good: fc.integer({ min: 1, max: 1e9 }), bad: oneOf(0, -5, 2.5, 'x', null, [1]) };
const portLeaf = { good: fc.integer({ min: 0, max: 65535 }), bad: oneOf(-1, 65536, 1.5, '80', null) };
const bool = { good: fc.boolean(), bad: oneOf('yes', 1, 'true', null) };
const httpUrl = { good: oneOf('http://10.0.0.1:8000', 'https://svc.internal/base'), bad: oneOf('not a url', 'ftp://x', 5) };
const host = { good: oneOf('127.0.0.1', '0.0.0.0', 'tap.internal'), bad: oneOf('', 5, []) };
const routeList = { good: fc.array(oneOf('/api/**', 'GET /users/*', '* /admin/**'), { maxLength: 3 }), bad: oneOf(['users'], 'x', [5]) };
const goodRule = fc.oneof(
  fc.constant({ kind: 'ignoreField', fields: ['body.meta.*', 'header.x-*'] }),
  fc.constant({ kind: 'ignoreHeader', headers: ['x-trace-*'] }),
  fc.constant({ kind: 'numericTolerance', field: 'body.**.price', relative: 0.01 }),
  fc.constant({ kind: 'arrayKeyedBy', field: 'body.items', key: 'id' }),
  fc.constant({ kind: 'equivalentFormat', field: 'body.at', format: 'regex', pattern: '\\d+' }),
  fc.constant({ kind: 'subset', route: 'GET /users/*' }),
);

/** Rules the schema accepts that fail only when compiled: a bad glob, a bad pattern, a blank route, a name twice. */
const RULES_BAD_WHEN_COMPILED: readonly unknown[] = [
  [{ name: 'g', kind: 'ignoreField', fields: ['body..x'] }],
  [{ name: 'p', kind: 'equivalentFormat', field: 'body.a', format: 'regex', pattern: '(' }],
  [{ name: 'r', kind: 'subset', route: ' ' }],
  [{ name: 'd', kind: 'subset' }, { name: 'd', kind: 'subset' }],
];
const badWhenCompiled = (value: unknown): boolean => RULES_BAD_WHEN_COMPILED.some((rules) => JSON.stringify(rules) === JSON.stringify(value));

const LEAVES: readonly Leaf[] = [
  { path: 'run', good: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/), bad: oneOf('bad name!', '', '-x', '3f2b8c1e-9a4d-4e1f-8b2a-1c2d3e4f5a6b', 5, null, []) },
  { path: 'upstreams.primary', ...httpUrl },
  { path: 'upstreams.candidate', ...httpUrl },
  { path: 'upstreams.secondary', ...httpUrl },
  { path: 'tap.mode', good: oneOf('inline', 'recorder'), bad: oneOf('mirror', 1) },
  { path: 'tap.host', ...host },
  { path: 'tap.port', ...portLeaf },
  { path: 'tap.adminHost', ...host },
  { path: 'tap.adminPort', ...portLeaf },
  { path: 'tap.mirrorPercentage', good: fc.double({ min: 0, max: 100, noNaN: true }), bad: oneOf(100.5, -1, '50', Number.NaN) },
  { path: 'tap.controlPercentage', good: fc.integer({ min: 0, max: 100 }), bad: oneOf(101, -0.5) },
  { path: 'tap.sampleKey', good: oneOf('header:x-user-id', 'query:user'), bad: oneOf('cookie:x', 'header:', 'header:a b') },
  { path: 'tap.shadowTimeoutMs', ...positive },
  { path: 'tap.maxBodyBytes', ...positive },
  { path: 'tap.shadowHostSuffix', ...bool },
  { path: 'tap.maxInFlightShadows', ...positive },
  { path: 'tap.shadowThreadNice', good: fc.integer({ min: 0, max: 19 }), bad: oneOf(20, -1, 2.5, 'low') },
  { path: 'tap.shedCopiesAbove', good: fc.double({ min: 0.1, max: 1, noNaN: true }), bad: oneOf(0, 0.05, 1.5, 'busy') },
  { path: 'tap.mirrorUnsafeMethods', ...bool },
  { path: 'tap.routes.include', ...routeList },
  { path: 'tap.routes.exclude', ...routeList },
  { path: 'tap.routes.allowUnsafe', ...routeList },
  { path: 'tap.redaction.headers', good: fc.array(oneOf('x-secret', 'x-api-token'), { maxLength: 2 }), bad: oneOf([''], [1], 'x-secret') },
  { path: 'tap.redaction.bodyPaths', good: fc.array(oneOf('$.password', '$..secret', '$.items[*].token', "$['odd key']"), { maxLength: 2 }), bad: oneOf(['password'], ['$.'], ['$[x]']) },
  { path: 'tap.redaction.key', good: oneOf('0123456789abcdef-key', 'a long enough secret'), bad: oneOf('short', 12345) },
  { path: 'tap.redaction.keyFile', good: oneOf('/run/secrets/key'), bad: oneOf('', 1) },
  { path: 'tap.recorder.upstream', ...httpUrl },
  { path: 'tap.recorder.side', good: oneOf('auto', 'primary', 'candidate'), bad: oneOf('secondary', true) },
  { path: 'tap.recorder.joinWindowMs', good: fc.integer({ min: 1, max: 600_000 }), bad: oneOf(600_001, 0) },
  { path: 'tap.batchSize', ...positive },
  { path: 'tap.batchFlushMs', ...positive },
  { path: 'tap.maxBufferedCaptures', ...positive },
  { path: 'api.host', ...host },
  { path: 'api.port', ...portLeaf },
  { path: 'api.token', good: oneOf('0123456789abcdef', 'a-very-long-api-token-value'), bad: oneOf('short', 42) },
  { path: 'worker.concurrency', good: fc.integer({ min: 1, max: 256 }), bad: oneOf(257, 0, 'four') },
  { path: 'worker.keepIdenticalShare', good: fc.double({ min: 0, max: 1, noNaN: true }), bad: oneOf(1.5, -0.1) },
  { path: 'worker.lockDurationMs', good: fc.integer({ min: 1000, max: 1e7 }), bad: oneOf(999, 'long') },
  { path: 'worker.stuckShardMs', good: fc.integer({ min: 1000, max: 3_600_000 }), bad: oneOf(999, 3_600_001, 'soon') },
  { path: 'worker.adminHost', ...host },
  { path: 'worker.adminPort', ...portLeaf },
  { path: 'api.maxResultLagSeconds', good: fc.double({ min: 0.5, max: 86_400, noNaN: true }), bad: oneOf(0, -1, 'ten') },
  { path: 'diff.ignoreHeaders', good: fc.array(oneOf('date', 'x-trace-*'), { maxLength: 3 }), bad: oneOf([''], 'date', [null]) },
  { path: 'diff.routes', good: fc.array(oneOf('/users/:id', '/files/**', '/a/*/b'), { maxLength: 3 }), bad: oneOf(['users/:id'], '/users') },
  {
    path: 'diff.rules',
    good: fc.array(goodRule, { maxLength: 3 }).map((rules) => rules.map((rule, i) => ({ name: `rule-${i}`, ...rule }))),
    bad: oneOf(
      [{ name: 'x', kind: 'nope' }],
      [{ name: 'bad name!', kind: 'subset' }],
      [{ name: 'a', kind: 'ignoreField', fields: [] }],
      ...RULES_BAD_WHEN_COMPILED,
    ),
  },
  { path: 'diff.maxDecodedBytes', ...positive },
  { path: 'noise.relative', good: fc.double({ min: 0, max: 10, noNaN: true }), bad: oneOf(-1, 'x') },
  { path: 'noise.absolute', good: fc.double({ min: 0, max: 1, noNaN: true }), bad: oneOf(2, -1) },
  { path: 'noise.minExchanges', ...positive },
  { path: 'database.url', good: oneOf('postgres://u:p@db:5432/shadowdiff', 'postgresql://db/x'), bad: oneOf('mysql://x', 5) },
  { path: 'redis.url', good: oneOf('redis://127.0.0.1:6379', 'rediss://cache:6380/1'), bad: oneOf('http://x', '') },
  { path: 'redis.queueShards', good: fc.integer({ min: 1, max: 256 }), bad: oneOf(0, 257, 1.5, 'four') },
  { path: 'redis.prefix', good: fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/), bad: oneOf('a b', '', 'x'.repeat(51)) },
  { path: 'stateDir', good: oneOf('.shadowdiff', '/var/lib/shadowdiff'), bad: oneOf('', 3) },
  { path: 'log.level', good: oneOf('fatal', 'info', 'trace', 'silent'), bad: oneOf('verbose', 3) },
];

const SECTIONS = ['upstreams', 'tap', 'tap.routes', 'tap.redaction', 'tap.recorder', 'api', 'worker', 'diff', 'noise', 'database', 'redis', 'log'];

/**
 * Environment values, as strings, that the setting accepts and rejects. A string setting takes a
 * value that looks like a number or a boolean as the string it is (a run named 2024).
 */
const ENV_VALUES: Readonly<Record<string, { good: readonly string[]; bad: readonly string[] }>> = {
  DATABASE_URL: { good: ['postgres://env-db/x'], bad: ['mysql://x'] },
  REDIS_URL: { good: ['redis://env-redis:6379'], bad: ['http://x'] },
  SHADOWDIFF_REDIS_PREFIX: { good: ['envq', 'q_1', '123'], bad: ['a b'] },
  SHADOWDIFF_REDIS_CLUSTER: { good: ['false'], bad: ['yes', '1'] },
  SHADOWDIFF_QUEUE_SHARDS: { good: ['1', '16'], bad: ['0', 'many', '2.5'] },
  SHADOWDIFF_RUN: { good: ['from-env', 'v2.1', '2024'], bad: ['bad name!'] },
  SHADOWDIFF_PRIMARY: { good: ['http://primary:80'], bad: ['nope'] },
  SHADOWDIFF_CANDIDATE: { good: ['http://candidate:80'], bad: ['nope'] },
  SHADOWDIFF_SECONDARY: { good: ['http://secondary:80'], bad: ['nope'] },
  SHADOWDIFF_TAP_HOST: { good: ['0.0.0.0'], bad: [] },
  SHADOWDIFF_TAP_PORT: { good: ['9000', '0'], bad: ['eighty', '70000', '-1', '1.5'] },
  SHADOWDIFF_MIRROR_PERCENTAGE: { good: ['12.5', '100'], bad: ['101', 'all'] },
  SHADOWDIFF_CONTROL_PERCENTAGE: { good: ['5'], bad: ['-5'] },
  SHADOWDIFF_SHADOW_TIMEOUT_MS: { good: ['2500'], bad: ['0', 'soon'] },
  SHADOWDIFF_MAX_BODY_BYTES: { good: ['65536'], bad: ['1.5'] },
  SHADOWDIFF_SHADOW_THREAD_NICE: { good: ['0', '19'], bad: ['20', '-1', 'low'] },
  SHADOWDIFF_SHED_COPIES_ABOVE: { good: ['0.8', '1'], bad: ['0', '1.5', 'busy'] },
  SHADOWDIFF_TAP_ADMIN_PORT: { good: ['9465'], bad: ['x'] },
  SHADOWDIFF_REDACTION_KEY: { good: ['env-redaction-key-0123'], bad: ['short'] },
  SHADOWDIFF_API_HOST: { good: ['api.internal'], bad: [] },
  SHADOWDIFF_API_PORT: { good: ['8082'], bad: ['true'] },
  SHADOWDIFF_API_TOKEN: { good: ['env-token-0123456789', '1234567890123456'], bad: ['short'] },
  SHADOWDIFF_WORKER_CONCURRENCY: { good: ['8'], bad: ['300'] },
  SHADOWDIFF_WORKER_LOCK_DURATION_MS: { good: ['60000'], bad: ['10'] },
  SHADOWDIFF_WORKER_STUCK_SHARD_MS: { good: ['45000', '1000'], bad: ['10', '3600001', 'soon'] },
  SHADOWDIFF_WORKER_ADMIN_PORT: { good: ['9470', '0'], bad: ['admin'] },
  SHADOWDIFF_API_MAX_RESULT_LAG_SECONDS: { good: ['30', '2.5'], bad: ['0'] },
  SHADOWDIFF_API_INGEST_MAX_BODY_BYTES: { good: ['1048576'], bad: ['0', 'big'] },
  SHADOWDIFF_RETENTION_DAYS: { good: ['30', '1'], bad: ['0', '1.5', 'month'] },
  SHADOWDIFF_STATE_DIR: { good: ['/tmp/state', 'true'], bad: [] },
  SHADOWDIFF_LOG_LEVEL: { good: ['debug'], bad: ['loud'] },
};

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys.at(-1)!] = value;
}

const isUnder = (path: string, ancestor: string): boolean => path === ancestor || path.startsWith(`${ancestor}.`);

interface Scenario {
  doc: Record<string, unknown>;
  env: Record<string, string>;
  /**
   * Paths (or sections) that must be named by a problem, with where the bad value came from, and
   * whether only compiling the diff rules finds it.
   */
  bad: { path: string; from: string; compiled?: boolean }[];
  /** Paths whose final value is good: no problem may be about them. */
  good: string[];
}

const scenarioArb: fc.Arbitrary<Scenario> = fc
  .record({
    leaves: fc.uniqueArray(
      fc.nat(LEAVES.length - 1).chain((i) => fc.tuple(fc.constant(i), fc.oneof({ weight: 3, arbitrary: LEAVES[i]!.good.map((v) => ({ ok: true, v })) }, { weight: 1, arbitrary: LEAVES[i]!.bad.map((v) => ({ ok: false, v })) }))),
      { selector: ([i]) => i, maxLength: 8 },
    ),
    wrongSections: fc.uniqueArray(fc.tuple(fc.constantFrom(...SECTIONS), oneOf('text', 5, ['a'], true)), { selector: ([s]) => s, maxLength: 1 }),
    unknownKeyIn: fc.option(fc.constantFrom('', ...SECTIONS), { nil: undefined }),
    env: fc.uniqueArray(
      fc.constantFrom(...Object.keys(ENV_VALUES)).chain((name) => {
        const { good, bad } = ENV_VALUES[name]!;
        const values = [...good.map((v) => ({ ok: true, v })), ...bad.map((v) => ({ ok: false, v }))];
        return fc.tuple(fc.constant(name), fc.constantFrom(...values));
      }),
      { selector: ([name]) => name, maxLength: 3 },
    ),
  })
  .map(({ leaves, wrongSections, unknownKeyIn, env }) => {
    const doc: Record<string, unknown> = {};
    const bad: Scenario['bad'] = [];
    const good: string[] = [];
    const envPaths = new Map(env.map(([name, value]) => [ENV_VARIABLES[name]!, { name, ...value }]));
    const corrupted = wrongSections.map(([section]) => section);
    const overwritten = (path: string): boolean => corrupted.some((s) => isUnder(path, s) && path !== s);
    for (const [i, value] of leaves) setPath(doc, LEAVES[i]!.path, value.v);
    for (const [section, value] of wrongSections) setPath(doc, section, value);
    if (unknownKeyIn !== undefined && !overwritten(unknownKeyIn) && !corrupted.includes(unknownKeyIn)) {
      setPath(doc, unknownKeyIn ? `${unknownKeyIn}.bogusKey` : 'bogusKey', 1);
      bad.push({ path: unknownKeyIn || '(top level)', from: 'file' });
    }
    for (const [i, value] of leaves) {
      const { path } = LEAVES[i]!;
      if (overwritten(path) || corrupted.includes(path) || envPaths.has(path)) continue;
      if (value.ok) good.push(path);
      else bad.push({ path, from: 'file', compiled: badWhenCompiled(value.v) });
    }
    for (const section of corrupted) {
      if (overwritten(section)) continue;
      bad.push({ path: section, from: 'file' });
    }
    for (const [path, value] of envPaths) {
      // Below a section that is not a mapping in the file, the variable cannot be set: named too.
      if (corrupted.some((section) => !overwritten(section) && isUnder(path, section))) bad.push({ path, from: `environment ${value.name}` });
      else if (value.ok) good.push(path);
      else bad.push({ path, from: `environment ${value.name}` });
    }
    return { doc, env: Object.fromEntries(env.map(([name, value]) => [name, value.v])), bad, good };
  });

/** The path a problem is about: the text before its first ": ". */
const problemPath = (problem: string): string => problem.slice(0, problem.indexOf(': '));

describe('loadConfig on documents with good and bad values', () => {
  it('names every bad value with its path and source, and never a good one; a clean document loads, and reloads the same', () => {
    fc.assert(
      fc.property(scenarioArb, fc.constantFrom('block', 'flow'), ({ doc, env, bad, good }, style) => {
        const text = toYaml(doc, style === 'flow' ? { collectionStyle: 'flow' } : {});
        const outcome = load(fileWith(text), env);
        if (bad.length === 0) {
          expect(outcome).not.toHaveProperty('error');
          if ('config' in outcome) expectValidAndStable(outcome.config);
          return;
        }
        expect(outcome).toHaveProperty('error');
        if (!('error' in outcome)) return;
        const { problems } = outcome.error;
        for (const { path, from } of bad) {
          const named = problems.filter((p) => isUnder(problemPath(p), path) || (p.startsWith('diff.rules: ') && path === 'diff.rules'));
          expect(named, `a problem about ${path} in ${JSON.stringify(problems)}`).not.toHaveLength(0);
          if (from !== 'file' && !named[0]!.startsWith('diff.rules: ')) expect(named[0]).toContain(`(from ${from})`);
        }
        for (const problem of problems) {
          const path = problemPath(problem);
          expect(good.some((g) => isUnder(path, g) && !bad.some((b) => isUnder(path, b.path))), `good value reported: ${problem}`).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('settings given only in the environment load as they are, or name the variable', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom(...Object.keys(ENV_VALUES)), { maxLength: 5 }).chain((names) =>
          fc.tuple(...names.map((name) => fc.tuple(fc.constant(name), fc.constantFrom(...ENV_VALUES[name]!.good, ...ENV_VALUES[name]!.bad)))),
        ),
        (pairs) => {
          const env = Object.fromEntries(pairs);
          const outcome = load(fileWith(''), env);
          const badNames = pairs.filter(([name, value]) => ENV_VALUES[name]!.bad.includes(value)).map(([name]) => name);
          if (badNames.length === 0) {
            expect(outcome).toHaveProperty('config');
            return;
          }
          expect(outcome).toHaveProperty('error');
          const text = 'error' in outcome ? outcome.error.problems.join('\n') : '';
          for (const name of badNames) expect(text).toContain(`(from environment ${name})`);
        },
      ),
      { numRuns: 200 },
    );
  });
});
