import type { Command } from 'commander';
import { Option } from 'commander';
import { loadConfig } from '@shadowdiff/config';
import { createLogger } from '@shadowdiff/core';
import { apiV1, apiV2, describeDemoDifferences, startDemoServer, type ApiVersion, type DemoServer } from '@shadowdiff/demo';
import { onShutdown } from '../shutdown.ts';

/** Which version of the demo API each side runs. */
const VERSIONS = { primary: apiV1, candidate: apiV2, secondary: apiV1 } satisfies Record<string, ApiVersion>;
type Side = keyof typeof VERSIONS;

/** `shadowdiff demo`: the demo's two API versions (and a second primary), to point a tap at. */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('serve the demo API: primary (v1), candidate (v2) and secondary (v1) on loopback ports')
    .addOption(new Option('--host <host>', 'address to listen on').default('127.0.0.1'))
    .addOption(new Option('--only <side>', 'serve only this side, as its own process would').choices(Object.keys(VERSIONS)))
    .addOption(new Option('--port <port>', 'with --only: the port to listen on (default: any free port)').argParser(Number))
    .action(async (flags: { host: string; only?: Side; port?: number }) => {
      const logger = createLogger({ level: loadConfig().log.level, stderr: true });
      const sides = flags.only ? [flags.only] : (Object.keys(VERSIONS) as Side[]);
      const servers: [Side, DemoServer][] = [];
      const port = flags.only ? flags.port : undefined;
      for (const side of sides) servers.push([side, await startDemoServer(VERSIONS[side], { host: flags.host, ...(port ? { port } : {}) })]);
      const lines = servers.map(([side, server]) => `${side} ${server.url} ${server.version}`);
      if (!flags.only) lines.push('deliberate differences:', ...describeDemoDifferences().map((line) => `  - ${line}`));
      process.stdout.write(`${lines.join('\n')}\n`);
      await onShutdown(logger, [() => Promise.all(servers.map(([, server]) => server.close())).then(() => undefined)]);
    });
}
