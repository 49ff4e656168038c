import { Command } from 'commander';
import { ShadowdiffError } from '@shadowdiff/core';
import { registerApi } from './commands/api.ts';
import { registerDemo } from './commands/demo.ts';
import { registerGate } from './commands/gate.ts';
import { registerIngest } from './commands/ingest.ts';
import { registerMigrate } from './commands/migrate.ts';
import { registerPrune } from './commands/prune.ts';
import { registerReport } from './commands/report.ts';
import { registerDiffRuns, registerRuns } from './commands/runs.ts';
import { isShuttingDown } from './shutdown.ts';
import { registerTap } from './commands/tap.ts';
import { registerExport } from './commands/export.ts';
import { registerReplay } from './commands/replay.ts';
import { registerUp } from './commands/up.ts';
import { registerWorker } from './commands/worker.ts';

const program = new Command('shadowdiff')
  .description('Mirror production traffic to a candidate, diff the responses, gate the release.')
  .version('0.1.0')
  .showHelpAfterError();
registerUp(program);
registerMigrate(program);
registerTap(program);
registerWorker(program);
registerApi(program);
registerDemo(program);
registerDiffRuns(program);
registerRuns(program);
registerGate(program);
registerReplay(program);
registerExport(program);
registerIngest(program);
registerReport(program);
registerPrune(program);

// A failure nobody expected still ends with one line, and the exit stops the local servers.
process.on('uncaughtException', (error) => {
  // A Redis command cut short by the connection closing under it while shutting down is expected.
  if (isShuttingDown() && error.message === 'Connection is closed.') return;
  process.stderr.write(`shadowdiff: unexpected error: ${error.stack ?? error.message}\n`);
  process.exit(1);
});

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const message = error instanceof ShadowdiffError || error instanceof Error ? error.message : String(error);
  process.stderr.write(`shadowdiff: ${message}\n`);
  // Whatever the command started has been stopped; a handle left open must not keep a failed
  // command running.
  process.exit(error instanceof ShadowdiffError && error.code === 'config_invalid' ? 2 : 1);
}
