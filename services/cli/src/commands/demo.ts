import type { Command } from 'commander';
import { Option } from 'commander';
import { loadConfig } from '@shadowdiff/config';
import { createLogger } from '@shadowdiff/core';
import { describeDemoDifferences, startDemoUpstreams } from '@shadowdiff/demo';
import { onShutdown } from '../shutdown';

/** `shadowdiff demo`: the demo's two API versions (and a second primary), to point a tap at. */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('serve the demo API: primary (v1), candidate (v2) and secondary (v1) on loopback ports')
    .addOption(new Option('--host <host>', 'address to listen on').default('127.0.0.1'))
    .action(async (flags: { host: string }) => {
      const logger = createLogger({ level: loadConfig().log.level, stderr: true });
      const demo = await startDemoUpstreams({ host: flags.host });
      process.stdout.write(
        [
          `primary ${demo.primary.url} ${demo.primary.version}`,
          `candidate ${demo.candidate.url} ${demo.candidate.version}`,
          `secondary ${demo.secondary.url} ${demo.secondary.version}`,
          'deliberate differences:',
          ...describeDemoDifferences().map((line) => `  - ${line}`),
          '',
        ].join('\n'),
      );
      await onShutdown(logger, [() => demo.close()]);
    });
}
