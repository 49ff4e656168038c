import type { GateCheck } from './evaluate.ts';
import type { GateResult } from './run-gate.ts';

/** Escapes text for a markdown table cell. */
export function mdCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ').replace(/([`*_<>[\]])/g, '\\$1');
}

const mark = (passed: boolean): string => (passed ? '✅' : '❌');
const row = (scope: string, c: GateCheck): string => `| ${mdCell(scope)} | ${mark(c.passed)} | ${c.check} | ${mdCell(c.message)} |`;

/** The gate result as markdown: verdict, reasons, and every check with its numbers. */
export function renderGateMarkdown(result: GateResult, heading = '##'): string {
  const out = [`${heading} Gate: ${result.verdict === 'pass' ? '✅ PASS' : '❌ FAIL'} — run ${mdCell(result.run.name)}`, ''];
  if (result.baseline) out.push(`Baseline run: ${mdCell(result.baseline.name)}`, '');
  if (result.reasons.length > 0) {
    out.push('Reasons:', '', ...result.reasons.map((r) => `- ${mdCell(r)}`), '');
  }
  out.push('| scope | | check | result |', '| --- | --- | --- | --- |');
  for (const c of result.overall.checks) out.push(row('run', c));
  for (const r of result.routes) {
    for (const c of r.checks) out.push(row(`${r.route}${r.verdict === 'insufficient_data' ? ' (insufficient data)' : ''}`, c));
  }
  out.push('', `Confidence of rate bounds: ${result.thresholds.confidence}; evaluated ${result.evaluatedAt}.`, '');
  return out.join('\n');
}
