import type { Command } from 'commander';
import { addApiOptions, createApiClient } from '../api-client.ts';
import { exportLines } from '../export-pages.ts';

/**
 * `shadowdiff export --run RUN [--route R] > run.ndjson`: a run's stored exchanges, one per line,
 * in shadowdiff's export format, which `shadowdiff replay --from` reads back.
 */
export function registerExport(program: Command): void {
  const command = program
    .command('export')
    .description("write a run's stored exchanges to standard output, one JSON line each (replay them with shadowdiff replay --from FILE)")
    .requiredOption('--run <name>', 'the run to export')
    .option('--route <route>', 'only this route, as the API names it (GET /api/orders/{id})');
  addApiOptions(command);
  command.action(async (flags: { run: string; route?: string; api?: string; config?: string }) => {
    const client = createApiClient(flags);
    let exported = 0;
    let withoutRequest = 0;
    for await (const line of exportLines(client, flags.run, { ...(flags.route ? { route: flags.route } : {}), onWithoutRequest: (n) => (withoutRequest += n) })) {
      if (!process.stdout.write(`${JSON.stringify(line)}\n`)) await new Promise((r) => process.stdout.once('drain', r));
      exported += 1;
    }
    process.stderr.write(`exported ${exported} exchanges of run ${flags.run}${withoutRequest ? ` (${withoutRequest} stored without their request, before requests were kept for every exchange, left out)` : ''}\n`);
  });
}
