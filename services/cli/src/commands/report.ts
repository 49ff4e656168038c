import { writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { addApiOptions, createApiClient, runPath } from '../api-client.ts';

interface ReportFlags {
  run: string;
  format: 'json' | 'markdown' | 'html';
  output?: string;
  baseline?: string;
  api?: string;
  config?: string;
}

/** `shadowdiff report`: the release validation report of a run, from the API. */
export function registerReport(program: Command): void {
  addApiOptions(
    program
      .command('report')
      .description('write the release validation report of a run (json, markdown or one self-contained HTML file)')
      .requiredOption('--run <run>', 'run id or name')
      .addOption(new Option('--format <format>', 'report format').choices(['json', 'markdown', 'html']).default('html'))
      .addOption(new Option('-o, --output <file>', 'write to this file (default: standard output)'))
      .addOption(new Option('--baseline <run>', 'an earlier run: fields that differ now but did not there are called out')),
  ).action(async (flags: ReportFlags) => {
    const query = new URLSearchParams({ format: flags.format, ...(flags.baseline ? { baseline: flags.baseline } : {}) });
    const res = await createApiClient(flags).text('GET', `${runPath(flags.run, '/report')}?${query}`);
    if (!flags.output) {
      process.stdout.write(res.text);
      return;
    }
    writeFileSync(flags.output, res.text);
    process.stdout.write(`report of run ${flags.run} written to ${flags.output}\n`);
  });
}
