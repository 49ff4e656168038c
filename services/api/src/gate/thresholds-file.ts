import { parse as parseYaml } from 'yaml';
import { ConfigError } from '@shadowdiff/core';
import { gateThresholdsSchema, type GateThresholds } from './thresholds.ts';

/**
 * Reads a thresholds file (YAML or JSON): the same fields a gate request takes. Throws one
 * `ConfigError` listing every problem.
 */
export function parseThresholdsFile(text: string, file = 'thresholds file'): GateThresholds {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${file} is not valid YAML: ${(error as Error).message}`);
  }
  const parsed = gateThresholdsSchema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const at = issue.path.map(String).join('.');
    const keys = issue.code === 'unrecognized_keys' ? `: ${issue.keys.join(', ')}` : '';
    return `${at || '(top level)'}: ${issue.message}${keys}`;
  });
  throw new ConfigError(`${file} is invalid: ${problems.join('; ')}`, problems);
}
