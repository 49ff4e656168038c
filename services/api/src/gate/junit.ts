import type { GateCheck, RouteGate } from './evaluate.ts';
import type { GateResult } from './run-gate.ts';

// XML 1.0 cannot carry most control characters, even escaped.
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** Escapes text for an XML attribute or element. */
export function xmlEscape(text: string): string {
  return text
    .replace(INVALID_XML, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const lines = (checks: readonly GateCheck[]): string => checks.map((c) => `${c.passed ? 'ok  ' : 'FAIL'} ${c.check}: ${c.message}`).join('\n');

function testcase(name: string, classname: string, body: string, checks: readonly GateCheck[]): string {
  return `    <testcase name="${xmlEscape(name)}" classname="${xmlEscape(classname)}" time="0">\n${body}      <system-out>${xmlEscape(lines(checks))}</system-out>\n    </testcase>\n`;
}

function routeBody(route: RouteGate, allowInsufficient: boolean): string {
  const failed = route.checks.filter((c) => !c.passed && c.check !== 'min_exchanges');
  if (route.verdict === 'insufficient_data' && failed.length === 0) {
    const message = `insufficient data: ${route.checks[0]?.message ?? ''}`;
    return allowInsufficient
      ? `      <skipped message="${xmlEscape(message)}"/>\n`
      : `      <failure type="insufficient_data" message="${xmlEscape(message)}">${xmlEscape(message)}</failure>\n`;
  }
  if (failed.length === 0) return '';
  const message = failed.map((c) => c.message).join('; ');
  return `      <failure type="${xmlEscape(failed[0]!.check)}" message="${xmlEscape(message)}">${xmlEscape(lines(failed))}</failure>\n`;
}

/** JUnit XML of a gate result: one test case per route and one for the run as a whole. */
export function renderGateJunit(result: GateResult): string {
  const classname = `shadowdiff.gate.${result.run.name}`;
  const allow = result.thresholds.allowInsufficientData;
  const overallFailed = result.overall.checks.filter((c) => !c.passed);
  const cases = [
    testcase(
      'run',
      classname,
      overallFailed.length === 0 ? '' : `      <failure type="${xmlEscape(overallFailed[0]!.check)}" message="${xmlEscape(overallFailed.map((c) => c.message).join('; '))}">${xmlEscape(lines(overallFailed))}</failure>\n`,
      result.overall.checks,
    ),
    ...result.routes.map((r) => testcase(r.route, classname, routeBody(r, allow), r.checks)),
  ];
  const failures = cases.filter((c) => c.includes('<failure')).length;
  const skipped = cases.filter((c) => c.includes('<skipped')).length;
  const counts = `tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}"`;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="shadowdiff gate" ${counts}>\n` +
    `  <testsuite name="${xmlEscape(`shadowdiff gate: ${result.run.name}`)}" ${counts} timestamp="${xmlEscape(result.evaluatedAt)}">\n` +
    `    <properties>\n      <property name="verdict" value="${result.verdict}"/>\n      <property name="run" value="${xmlEscape(result.run.name)}"/>\n` +
    (result.baseline ? `      <property name="baseline" value="${xmlEscape(result.baseline.name)}"/>\n` : '') +
    '    </properties>\n' +
    cases.join('') +
    '  </testsuite>\n</testsuites>\n'
  );
}
