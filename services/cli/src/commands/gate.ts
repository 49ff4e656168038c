import { readFileSync, writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { parseThresholdsFile, renderGateJunit, renderGateMarkdown, type GateResult } from '@shadowdiff/api';
import { addApiOptions, createApiClient, runPath } from '../api-client.ts';

interface GateFlags {
  run: string;
  thresholds?: string;
  baseline?: string;
  junit?: string;
  markdown?: string;
  json?: boolean;
  api?: string;
  config?: string;
}

/** Exit codes a CI pipeline can rely on. */
export const GATE_EXIT = { pass: 0, fail: 1, couldNotEvaluate: 2 } as const;

/** The gate's verdict, its reasons, and every route's checks. */
export function printGateResult(result: GateResult, out: NodeJS.WritableStream = process.stdout): void {
  out.write(`gate ${result.verdict === 'pass' ? 'PASSED' : 'FAILED'} for run ${result.run.name}${result.baseline ? ` (baseline ${result.baseline.name})` : ''}\n`);
  for (const reason of result.reasons) out.write(`  ✗ ${reason}\n`);
  out.write('\n');
  for (const route of result.routes) {
    out.write(`${route.verdict.toUpperCase().padEnd(17)} ${route.route}  (${route.exchanges} exchanges)\n`);
    for (const check of route.checks) out.write(`    ${check.passed ? 'ok  ' : 'FAIL'} ${check.message}\n`);
  }
  out.write('run overall\n');
  for (const check of result.overall.checks) out.write(`    ${check.passed ? 'ok  ' : 'FAIL'} ${check.message}\n`);
}

async function gate(flags: GateFlags): Promise<void> {
  try {
    const thresholds = flags.thresholds ? parseThresholdsFile(readFileSync(flags.thresholds, 'utf8'), flags.thresholds) : undefined;
    const result = await createApiClient(flags).json<GateResult>('POST', runPath(flags.run, '/gate'), {
      ...(thresholds ? { thresholds } : {}),
      ...(flags.baseline ? { baseline: flags.baseline } : {}),
    });
    if (flags.junit) writeFileSync(flags.junit, renderGateJunit(result));
    if (flags.markdown) writeFileSync(flags.markdown, renderGateMarkdown(result));
    if (flags.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else printGateResult(result);
    process.exitCode = result.verdict === 'pass' ? GATE_EXIT.pass : GATE_EXIT.fail;
  } catch (error) {
    process.stderr.write(`shadowdiff gate: could not evaluate: ${(error as Error).message}\n`);
    process.exitCode = GATE_EXIT.couldNotEvaluate;
  }
}

/** `shadowdiff gate`: judge a run against thresholds; exit 0 pass, 1 fail, 2 could not evaluate. */
export function registerGate(program: Command): void {
  addApiOptions(
    program
      .command('gate')
      .description('judge a run against thresholds for CI: exit 0 pass, 1 fail, 2 could not evaluate')
      .requiredOption('--run <run>', 'run id or name')
      .addOption(new Option('--thresholds <file>', "thresholds file (YAML); absent fields take the run's stored thresholds, then the defaults"))
      .addOption(new Option('--baseline <run>', 'an earlier run: fields that differ now but did not there are called out'))
      .addOption(new Option('--junit <file>', 'write JUnit XML, one test case per route'))
      .addOption(new Option('--markdown <file>', 'write the result as markdown (for a pull-request comment)'))
      .addOption(new Option('--json', 'print the whole result as JSON')),
  )
    .addHelpText(
      'after',
      `
Thresholds file (every field optional; rates are judged by their one-sided Wilson upper bound):
  maxDifferenceRate: 0.05          # real-difference rate, whole run
  maxRouteDifferenceRate: 0.1      # real-difference rate, any one route
  maxStatusMismatchRate: 0.05      # and maxRouteStatusMismatchRate: 0.1
  maxCandidateErrorRate: 0.05      # 5xx, timeouts, refused; and maxRouteCandidateErrorRate: 0.1
  maxP99LatencyRatio: 1.5          # candidate p99 / reference p99 (secondary or control copies), run and each route
  latencyToleranceMs: 10           # p99 differences this small never fail
  minExchangesPerRoute: 30         # fewer is insufficient data, which fails unless
  allowInsufficientData: false
  requiredRoutes: ["GET /users/{id}"]
  confidence: 0.95
  failOnNewFields: true            # with --baseline
  routes: { "GET /legacy": { maxDifferenceRate: 0.5 } }`,
    )
    .exitOverride((error) => {
      // A missing or unknown option is bad input: "could not evaluate".
      process.exit(error.exitCode === 0 ? 0 : GATE_EXIT.couldNotEvaluate);
    })
    .action(gate);
}
