/** Markdown sections that benchmarks write: a `## Heading` and everything up to the next one. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** The body of `## heading` (without the heading line), or undefined. */
export function readSection(text: string, heading: string): string | undefined {
  const marker = `\n## ${heading}\n`;
  const start = `\n${text}`.indexOf(marker);
  if (start === -1) return undefined;
  const bodyStart = start + marker.length - 1;
  const end = text.indexOf('\n## ', bodyStart);
  return text.slice(bodyStart, end === -1 ? undefined : end + 1);
}

/** `text` with the `## heading` section replaced by `section` (which starts with its heading), or appended. */
export function replaceSection(text: string, heading: string, section: string): string {
  const start = `\n${text}`.indexOf(`\n## ${heading}\n`);
  if (start === -1) return `${text.trimEnd()}\n\n${section.trimEnd()}\n`;
  const after = text.indexOf('\n## ', start + 1);
  return `${text.slice(0, start)}${section.trimEnd()}\n${after === -1 ? '' : `\n${text.slice(after + 1)}`}`.trimEnd() + '\n';
}

/** Replaces (or appends) a section of a markdown file, leaving the other sections as they are. */
export function writeSection(file: string, heading: string, section: string): void {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\nRun on this machine; numbers are from the latest run of each script.\n';
  writeFileSync(file, replaceSection(text, heading, section));
}
