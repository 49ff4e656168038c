/**
 * Diff options: defaults, validation, and the compiled form reused for every exchange.
 */
import { ConfigError, type RoutePattern } from '@shadowdiff/core';
import { createHeaderFilter, type HeaderFilter } from './compare-headers.ts';
import { DEFAULT_MAX_DECODED_BYTES } from './decode.ts';
import { type CompiledRules, compileRules } from './rules.ts';
import { DEFAULT_TRUNCATE_LIMITS, type TruncateLimits } from './truncate.ts';
import type { DiffOptions } from './types.ts';

/** Headers that vary between any two responses; not compared unless the options say otherwise. */
export const DEFAULT_IGNORED_HEADERS: readonly string[] = Object.freeze([
  'date',
  'server',
  'x-request-id',
  'etag',
  'content-length',
  'set-cookie',
  'age',
  'expires',
  'last-modified',
  'via',
  'x-powered-by',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'x-envoy-upstream-service-time',
  'x-shadowdiff-exchange-id',
]);

export const DEFAULT_MAX_TEXT_LINE_DIFFS = 20;

/** Options with everything derived from them precomputed. */
export interface CompiledOptions {
  readonly routePatterns: readonly RoutePattern[];
  readonly skipHeader: HeaderFilter;
  readonly rules: CompiledRules;
  readonly maxDecodedBytes: number;
  readonly maxTextLineDiffs: number;
  readonly truncateLimits: TruncateLimits;
}

const compiledByOptions = new WeakMap<DiffOptions, CompiledOptions>();

function compileOptions(options: DiffOptions): CompiledOptions {
  const problems: string[] = [];
  const positiveInt = (name: string, value: number | undefined, fallback: number): number => {
    if (value === undefined) return fallback;
    if (!Number.isInteger(value) || value <= 0) problems.push(`${name} must be a positive integer`);
    return value;
  };
  const maxDecodedBytes = positiveInt('maxDecodedBytes', options.maxDecodedBytes, DEFAULT_MAX_DECODED_BYTES);
  const maxTextLineDiffs = positiveInt('maxTextLineDiffs', options.maxTextLineDiffs, DEFAULT_MAX_TEXT_LINE_DIFFS);
  const maxValueChars = positiveInt('maxValueChars', options.maxValueChars, DEFAULT_TRUNCATE_LIMITS.maxStringChars);
  let rules: CompiledRules | undefined;
  try {
    rules = compileRules(options.rules ?? []);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  if (problems.length > 0 || rules === undefined) {
    throw new ConfigError(`invalid diff options: ${problems.join('; ')}`, problems);
  }
  return {
    routePatterns: options.routePatterns ?? [],
    skipHeader: createHeaderFilter(options.ignoreHeaders),
    rules,
    maxDecodedBytes,
    maxTextLineDiffs,
    truncateLimits: { maxStringChars: maxValueChars, maxJsonChars: Math.max(2 * maxValueChars, 256) },
  };
}

/**
 * Complete, validated diff options: defaults filled in (`DEFAULT_IGNORED_HEADERS`, 8 MiB decode
 * bound, 20 text lines, 1024-character values), rules compiled once. The result is frozen and
 * meant to be reused for every exchange of a run. Throws `ConfigError` listing every bad rule or
 * value.
 */
export function createDiffOptions(partial: Partial<DiffOptions> = {}): DiffOptions {
  const options: DiffOptions = Object.freeze({
    ignoreHeaders: Object.freeze([...(partial.ignoreHeaders ?? DEFAULT_IGNORED_HEADERS)]),
    routePatterns: Object.freeze([...(partial.routePatterns ?? [])]),
    rules: Object.freeze([...(partial.rules ?? [])]),
    maxDecodedBytes: partial.maxDecodedBytes ?? DEFAULT_MAX_DECODED_BYTES,
    maxTextLineDiffs: partial.maxTextLineDiffs ?? DEFAULT_MAX_TEXT_LINE_DIFFS,
    maxValueChars: partial.maxValueChars ?? DEFAULT_TRUNCATE_LIMITS.maxStringChars,
  });
  compiledByOptions.set(options, compileOptions(options));
  return options;
}

/**
 * The compiled form of `options`, built on first use and remembered per options object (options
 * are treated as immutable: build new ones to change them).
 */
export function compiledOptionsOf(options: DiffOptions): CompiledOptions {
  let compiled = compiledByOptions.get(options);
  if (compiled === undefined) {
    compiled = compileOptions(options);
    compiledByOptions.set(options, compiled);
  }
  return compiled;
}
