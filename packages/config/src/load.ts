import { readFileSync, existsSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ConfigError, compileRoutePattern } from '@shadowdiff/core';
import { createDiffOptions } from '@shadowdiff/diff';
import { diffSchema } from './diff-schema.ts';
import { configSchema, type ShadowdiffConfig } from './schema.ts';

type Raw = Record<string, unknown>;

/**
 * Environment variables read by shadowdiff, and the config path each one sets. This is the only
 * place the environment is read for configuration.
 */
export const ENV_VARIABLES: Readonly<Record<string, string>> = {
  DATABASE_URL: 'database.url',
  REDIS_URL: 'redis.url',
  SHADOWDIFF_REDIS_PREFIX: 'redis.prefix',
  SHADOWDIFF_REDIS_CLUSTER: 'redis.cluster',
  SHADOWDIFF_QUEUE_SHARDS: 'redis.queueShards',
  SHADOWDIFF_RUN: 'run',
  SHADOWDIFF_PRIMARY: 'upstreams.primary',
  SHADOWDIFF_CANDIDATE: 'upstreams.candidate',
  SHADOWDIFF_SECONDARY: 'upstreams.secondary',
  SHADOWDIFF_TAP_HOST: 'tap.host',
  SHADOWDIFF_TAP_PORT: 'tap.port',
  SHADOWDIFF_MIRROR_PERCENTAGE: 'tap.mirrorPercentage',
  SHADOWDIFF_CONTROL_PERCENTAGE: 'tap.controlPercentage',
  SHADOWDIFF_SHADOW_TIMEOUT_MS: 'tap.shadowTimeoutMs',
  SHADOWDIFF_MAX_BODY_BYTES: 'tap.maxBodyBytes',
  SHADOWDIFF_SHADOW_THREAD_NICE: 'tap.shadowThreadNice',
  SHADOWDIFF_SHED_COPIES_ABOVE: 'tap.shedCopiesAbove',
  SHADOWDIFF_TAP_ADMIN_PORT: 'tap.adminPort',
  SHADOWDIFF_REDACTION_KEY: 'tap.redaction.key',
  SHADOWDIFF_API_HOST: 'api.host',
  SHADOWDIFF_API_PORT: 'api.port',
  SHADOWDIFF_API_TOKEN: 'api.token',
  SHADOWDIFF_API_READ_TOKENS: 'api.readTokens',
  SHADOWDIFF_API_WRITE_TOKENS: 'api.writeTokens',
  SHADOWDIFF_API_MAX_RESULT_LAG_SECONDS: 'api.maxResultLagSeconds',
  SHADOWDIFF_API_INGEST_MAX_BODY_BYTES: 'api.ingest.maxBodyBytes',
  SHADOWDIFF_WORKER_CONCURRENCY: 'worker.concurrency',
  SHADOWDIFF_WORKER_LOCK_DURATION_MS: 'worker.lockDurationMs',
  SHADOWDIFF_WORKER_STUCK_SHARD_MS: 'worker.stuckShardMs',
  SHADOWDIFF_WORKER_ADMIN_PORT: 'worker.adminPort',
  SHADOWDIFF_RETENTION_DAYS: 'retention.days',
  SHADOWDIFF_STATE_DIR: 'stateDir',
  SHADOWDIFF_LOG_LEVEL: 'log.level',
};

export interface LoadConfigOptions {
  /** Path of a YAML file; when absent, `shadowdiff.yaml` in the working directory if present. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Values from command-line flags, as config paths (`tap.port`) to values. They win. */
  overrides?: Record<string, unknown>;
}

/**
 * Sets `path` to `value`. A section on the way that holds something other than a mapping is left
 * as it is, and its path returned, so that its bad value is still reported rather than replaced.
 */
function setPath(target: Raw, path: string, value: unknown): string | undefined {
  const keys = path.split('.');
  let node = target;
  for (const [i, key] of keys.slice(0, -1).entries()) {
    const next = node[key];
    if (next === undefined) node[key] = {};
    else if (typeof next !== 'object' || next === null || Array.isArray(next)) return keys.slice(0, i + 1).join('.');
    node = node[key] as Raw;
  }
  node[keys[keys.length - 1]!] = value;
  return undefined;
}

function getPath(source: unknown, path: readonly PropertyKey[]): unknown {
  let node = source;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** Variables whose settings are numbers. Every other one is a string: a run named 2024 stays "2024". */
const NUMERIC_VARIABLES: ReadonlySet<string> = new Set([
  'SHADOWDIFF_TAP_PORT',
  'SHADOWDIFF_MIRROR_PERCENTAGE',
  'SHADOWDIFF_CONTROL_PERCENTAGE',
  'SHADOWDIFF_SHADOW_TIMEOUT_MS',
  'SHADOWDIFF_MAX_BODY_BYTES',
  'SHADOWDIFF_SHADOW_THREAD_NICE',
  'SHADOWDIFF_SHED_COPIES_ABOVE',
  'SHADOWDIFF_TAP_ADMIN_PORT',
  'SHADOWDIFF_API_PORT',
  'SHADOWDIFF_WORKER_CONCURRENCY',
  'SHADOWDIFF_WORKER_LOCK_DURATION_MS',
  'SHADOWDIFF_WORKER_STUCK_SHARD_MS',
  'SHADOWDIFF_WORKER_ADMIN_PORT',
  'SHADOWDIFF_API_MAX_RESULT_LAG_SECONDS',
  'SHADOWDIFF_API_INGEST_MAX_BODY_BYTES',
  'SHADOWDIFF_RETENTION_DAYS',
  'SHADOWDIFF_QUEUE_SHARDS',
]);

/** Variables whose settings are yes-or-no: `true` or `false`, anything else left for the schema to refuse. */
const BOOLEAN_VARIABLES: ReadonlySet<string> = new Set(['SHADOWDIFF_REDIS_CLUSTER']);

/** An environment value as its setting takes it: a number where one is wanted and given, else the string for the schema to judge. */
function parseEnvValue(name: string, value: string): unknown {
  if (BOOLEAN_VARIABLES.has(name) && /^(true|false)$/.test(value)) return value === 'true';
  return NUMERIC_VARIABLES.has(name) && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
}

function readFile(file: string): Raw {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${file}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    const where = error instanceof YAMLParseError ? ` at line ${error.linePos?.[0].line ?? '?'}` : '';
    throw new ConfigError(`config file ${file} is not valid YAML${where}: ${(error as Error).message}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${file} must hold a mapping at the top level, found ${describe(parsed)}`);
  }
  return parsed as Raw;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

/** What the schema cannot see in valid rules and routes: duplicate rule names, regexes that do not compile, bad globs. */
function diffRuleProblems(diff: Pick<ShadowdiffConfig['diff'], 'rules' | 'routes'>): string[] {
  const names = diff.rules.map((rule) => rule.name);
  const duplicates = names.filter((name, i) => names.indexOf(name) !== i);
  if (duplicates.length > 0) return [`diff.rules: duplicate rule name(s) ${[...new Set(duplicates)].join(', ')}`];
  try {
    createDiffOptions({ rules: diff.rules, routePatterns: diff.routes.map(compileRoutePattern) });
    return [];
  } catch (error) {
    return error instanceof ConfigError ? error.problems.map((p) => `diff.rules: ${p}`) : [`diff.rules: ${(error as Error).message}`];
  }
}

function invalid(problems: string[]): ConfigError {
  return new ConfigError(`invalid configuration, ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  - ${p}`).join('\n')}`, problems);
}

/**
 * Builds the configuration: schema defaults, then the YAML file, then the environment, then
 * flags. Every invalid value is reported at once, each with its path, what was expected, what
 * was found and where it came from.
 */
export function loadConfig(options: LoadConfigOptions = {}): ShadowdiffConfig {
  const env = options.env ?? process.env;
  const sources = new Map<string, string>();
  const file = options.file ?? (existsSync('shadowdiff.yaml') ? 'shadowdiff.yaml' : undefined);
  const raw: Raw = file ? readFile(file) : {};
  if (file) sources.set('*', file);

  // A value that cannot be set because a section above it is not a mapping: reported, with the section's own problem.
  const blocked: string[] = [];
  const set = (path: string, value: unknown, from: string): void => {
    const section = setPath(raw, path, value);
    if (section) blocked.push(`${path}: cannot be set (from ${from}): ${section} is ${describe(getPath(raw, section.split('.')))}, not a mapping`);
    else sources.set(path, from);
  };
  for (const [name, path] of Object.entries(ENV_VARIABLES)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    set(path, parseEnvValue(name, value), `environment ${name}`);
  }
  for (const [path, value] of Object.entries(options.overrides ?? {})) {
    if (value !== undefined) set(path, value, 'command line');
  }

  const result = configSchema.safeParse(raw);
  if (result.success) {
    const problems = [...blocked, ...diffRuleProblems(result.data.diff)];
    if (problems.length > 0) throw invalid(problems);
    return result.data;
  }

  const problems = result.error.issues.map((issue) => {
    const path = issue.path.join('.') || '(top level)';
    const found = issue.code === 'unrecognized_keys' ? `unknown key(s) ${issue.keys.join(', ')}` : describe(getPath(raw, issue.path));
    const from = sources.get(path) ?? sources.get('*') ?? 'defaults';
    return `${path}: ${issue.message}; found ${found} (from ${from})`;
  });
  // Every problem at once: the rules' own too, whenever the rules and routes themselves are valid.
  const section = typeof raw.diff === 'object' && raw.diff !== null ? (raw.diff as Raw) : {};
  const rules = diffSchema.shape.rules.safeParse(section.rules);
  const routes = diffSchema.shape.routes.safeParse(section.routes);
  throw invalid([...problems, ...blocked, ...(rules.success ? diffRuleProblems({ rules: rules.data, routes: routes.success ? routes.data : [] }) : [])]);
}
