import { Command } from 'commander';
import { ShadowdiffError } from '@shadowdiff/core';
import { registerServiceCommands } from './commands/services';
import { registerUp } from './commands/up';

const program = new Command('shadowdiff')
  .description('Mirror production traffic to a candidate, diff the responses, gate the release.')
  .version('0.1.0')
  .showHelpAfterError();
registerUp(program);
registerServiceCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const message = error instanceof ShadowdiffError || error instanceof Error ? error.message : String(error);
  process.stderr.write(`shadowdiff: ${message}\n`);
  process.exitCode = error instanceof ShadowdiffError && error.code === 'config_invalid' ? 2 : 1;
}
