import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@shadowdiff/core';
import { loadConfig } from './load.ts';

function yamlFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sdcfg-')), 'shadowdiff.yaml');
  writeFileSync(file, text);
  return file;
}

function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('fills every default when nothing is given', () => {
    const config = loadConfig({ env: {}, file: yamlFile('') });
    expect(config.run).toBe('default');
    expect(config.tap).toMatchObject({ host: '127.0.0.1', port: 8080, mirrorPercentage: 100, shadowHostSuffix: true, mirrorUnsafeMethods: false });
    expect(config.api).toMatchObject({ host: '127.0.0.1', port: 8081 });
    expect(config.diff.ignoreHeaders).toContain('date');
    expect(config.database.url).toBeUndefined();
  });

  it('reads a good file, and lets the environment and then flags override it', () => {
    const file = yamlFile(`
run: checkout-v2
upstreams:
  primary: http://10.0.0.1:8000
  candidate: http://10.0.0.2:8000
tap:
  port: 9000
  mirrorPercentage: 12.5
worker:
  concurrency: 8
`);
    const config = loadConfig({
      file,
      env: { SHADOWDIFF_TAP_PORT: '9100', REDIS_URL: 'redis://127.0.0.1:6380', SHADOWDIFF_RUN: 'from-env' },
      overrides: { run: 'from-flag' },
    });
    expect(config.run).toBe('from-flag');
    expect(config.tap.port).toBe(9100);
    expect(config.tap.mirrorPercentage).toBe(12.5);
    expect(config.worker.concurrency).toBe(8);
    expect(config.redis.url).toBe('redis://127.0.0.1:6380');
    expect(config.upstreams.candidate).toBe('http://10.0.0.2:8000');
  });

  it('lists every bad value with its path, what was found and where it came from', () => {
    const file = yamlFile(`
upstreams:
  primary: not a url
tap:
  mirrorPercentage: 150
  prot: 80
worker:
  concurrency: 0
`);
    const problems = problemsOf(() => loadConfig({ file, env: { SHADOWDIFF_API_PORT: 'eighty', DATABASE_URL: 'mysql://x' } }));
    expect(problems).toHaveLength(6);
    const text = problems.join('\n');
    expect(text).toMatch(/upstreams\.primary: .*found "not a url" \(from .*shadowdiff\.yaml\)/);
    expect(text).toMatch(/tap\.mirrorPercentage: .*<=100.*found 150/);
    expect(text).toMatch(/tap: .*unknown key\(s\) prot/);
    expect(text).toMatch(/worker\.concurrency: .*found 0/);
    expect(text).toMatch(/api\.port: .*found "eighty" \(from environment SHADOWDIFF_API_PORT\)/);
    expect(text).toMatch(/database\.url: a postgres:\/\/ URL; found "mysql:\/\/x" \(from environment DATABASE_URL\)/);
  });

  it('names the flag as the source of a bad flag value', () => {
    const problems = problemsOf(() => loadConfig({ env: {}, file: yamlFile(''), overrides: { 'tap.port': 'abc', run: 'bad name!' } }));
    expect(problems.join('\n')).toMatch(/tap\.port: .*found "abc" \(from command line\)/);
    expect(problems.join('\n')).toMatch(/run: .*found "bad name!" \(from command line\)/);
  });

  it('rejects a file that is not YAML, or not a mapping, saying so', () => {
    expect(() => loadConfig({ env: {}, file: yamlFile('tap: [unclosed') })).toThrow(/not valid YAML/);
    expect(() => loadConfig({ env: {}, file: yamlFile('- a\n- b') })).toThrow(/must hold a mapping/);
    expect(() => loadConfig({ env: {}, file: '/nonexistent/shadowdiff.yaml' })).toThrow(/cannot read config file/);
  });

  it('takes a Redis Cluster as seed URLs with redis.cluster, from the file or the environment, and a number of queue shards', () => {
    const seeds = 'redis://:secret@10.0.0.1:7000, redis://:secret@10.0.0.2:7000';
    const fromEnv = loadConfig({ env: { REDIS_URL: seeds, SHADOWDIFF_REDIS_CLUSTER: 'true', SHADOWDIFF_QUEUE_SHARDS: '8' } });
    expect(fromEnv.redis).toEqual({ url: seeds, cluster: true, queueShards: 8, prefix: 'bull' });
    const fromFile = loadConfig({ file: yamlFile('redis:\n  url: redis://10.0.0.1:7000\n  cluster: true\n  queueShards: 4\n'), env: {} });
    expect(fromFile.redis).toMatchObject({ cluster: true, queueShards: 4 });
    expect(loadConfig({ env: {} }).redis).toEqual({ cluster: false, queueShards: 1, prefix: 'bull' });
  });

  it('refuses cluster settings that cannot work, saying what to change', () => {
    const problems = problemsOf(() => loadConfig({ env: { REDIS_URL: 'redis://a:7000,redis://b:7000', SHADOWDIFF_QUEUE_SHARDS: '0' } }));
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).toMatch(/redis\.url: several URLs are the seed nodes of a Redis Cluster: set redis\.cluster to true/);
    expect(problems.join('\n')).toMatch(/redis\.queueShards: .*found 0 \(from environment SHADOWDIFF_QUEUE_SHARDS\)/);
    expect(problemsOf(() => loadConfig({ env: { SHADOWDIFF_REDIS_CLUSTER: 'true' } }))).toEqual([expect.stringMatching(/^redis\.url: redis\.cluster needs the URL of at least one of its nodes/)]);
    expect(problemsOf(() => loadConfig({ env: { SHADOWDIFF_REDIS_CLUSTER: 'yes' } }))).toEqual([expect.stringMatching(/^redis\.cluster: .*found "yes" \(from environment SHADOWDIFF_REDIS_CLUSTER\)/)]);
    expect(problemsOf(() => loadConfig({ env: { REDIS_URL: 'redis://a:7000,http://b', SHADOWDIFF_REDIS_CLUSTER: 'true' } }))).toEqual([expect.stringMatching(/^redis\.url: /)]);
    expect(problemsOf(() => loadConfig({ env: { SHADOWDIFF_QUEUE_SHARDS: '300' } }))).toEqual([expect.stringMatching(/^redis\.queueShards: .*found 300/)]);
  });
});
