/**
 * `@shadowdiff/diff`: the pure diff engine. Decodes and parses captured bodies, compares the
 * primary with the candidate (and secondary), applies rules, and classifies noise. No I/O.
 */
export { diffExchange } from './diff-exchange.ts';
export {
  createDiffOptions,
  DEFAULT_IGNORED_HEADERS,
  DEFAULT_MAX_TEXT_LINE_DIFFS,
} from './options.ts';
export { DEFAULT_MAX_DECODED_BYTES } from './decode.ts';
export {
  classifyField,
  DEFAULT_NOISE_THRESHOLDS,
  wilsonInterval,
  type FieldClassification,
  type FieldCounts,
  type NoiseThresholds,
  type NoiseVerdict,
  type ProportionInterval,
} from './noise.ts';
export { compileIgnoredFields } from './ignored-fields.ts';
export { compileRuleRoute } from './rules.ts';
export { truncateForStorage, type TruncateLimits } from './truncate.ts';
export { isSuspectedNoise, volatileShape, type VolatileShape } from './volatile.ts';
export * from './types.ts';
export {
  diffRuleSchema,
  parseStoredRules,
  type ArrayAsSetRule,
  type ArrayKeyedByRule,
  type DiffRule,
  type DiffRuleKind,
  type EquivalentFormatRule,
  type FieldGlob,
  type IgnoreFieldRule,
  type IgnoreHeaderRule,
  type NumericToleranceRule,
  type SubsetRule,
} from './rule-schema.ts';
