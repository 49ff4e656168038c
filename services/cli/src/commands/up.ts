import type { Command } from 'commander';
import { Option } from 'commander';
import { createLogger } from '@shadowdiff/core';
import { driveDemoTraffic, describeDemoDifferences } from '@shadowdiff/demo';
import { countExchanges, findRun } from '@shadowdiff/store';
import { addServiceOptions, configFromFlags } from '../options';
import { onShutdown } from '../shutdown';
import { startStack } from '../stack';
import { createApiClient } from '../api-client';
import { startChildCommand, type ChildCommand } from '../child-command';
import { printRunSummary } from '../summary';

const stopAll = (children: ChildCommand[]): Promise<void> => Promise.all(children.map((child) => child.stop())).then(() => undefined);

async function waitForStored(count: () => Promise<number>, expected: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let stored = await count();
  while (stored < expected && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    stored = await count();
  }
  return stored;
}

export function registerUp(program: Command): void {
  const command = program
    .command('up')
    .description('start the whole stack (tap, worker, API) on one machine; with no upstreams, run the demo')
    .addOption(new Option('--requests <n>', 'demo: requests to send through the tap').default(300).argParser(Number))
    .addOption(new Option('--exit-after-demo', 'demo: print the summary, then stop'));
  addServiceOptions(command, ['primary', 'candidate', 'secondary', 'run', 'tapPort', 'adminPort', 'apiPort', 'mirrorPercentage', 'controlPercentage', 'concurrency', 'stateDir', 'logLevel']);
  command.action(async (flags: Record<string, unknown>) => {
    const config = configFromFlags(flags);
    const logger = createLogger({ level: config.log.level, stderr: true });
    if (Boolean(config.upstreams.primary) !== Boolean(config.upstreams.candidate)) {
      throw new Error('give both --primary and --candidate, or neither to run the demo');
    }
    // A signal while starting up exits at once; the exit stops the local servers, and the
    // children started so far stop when they lose this process.
    const abort = (): never => process.exit(130);
    process.once('SIGINT', abort).once('SIGTERM', abort);
    let demo: ChildCommand[] = [];
    const configFile = typeof flags.config === 'string' ? flags.config : undefined;
    const stack = await (async () => {
      if (!config.upstreams.primary) {
        // Each side of the demo runs in a process of its own, as real services would, so their
        // latencies can be compared.
        const sides = (['primary', 'candidate', 'secondary'] as const).map((side) =>
          startChildCommand(['demo', '--only', side], { env: { SHADOWDIFF_LOG_LEVEL: config.log.level }, ready: new RegExp(`^${side} (\\S+)`, 'm'), logger }),
        );
        const started = await Promise.allSettled(sides);
        demo = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
        const failed = started.find((result) => result.status === 'rejected');
        if (failed) throw failed.reason;
        const [primary, candidate, secondary] = demo.map((child) => child.ready[1]!);
        config.upstreams = { primary, candidate, secondary };
        if (flags.run === undefined && config.run === 'default') config.run = 'demo';
      }
      return startStack(config, logger, configFile ? { configFile } : {});
    })().catch(async (error: unknown) => {
      await stopAll(demo);
      throw error;
    });
    process.off('SIGINT', abort).off('SIGTERM', abort);
    const out = process.stdout;
    out.write(`\nshadowdiff is up (run "${config.run}")\n`);
    out.write(`  tap        ${stack.tap.url}   → primary ${config.upstreams.primary}, candidate ${config.upstreams.candidate}`);
    out.write(config.upstreams.secondary ? `, secondary ${config.upstreams.secondary}\n` : '\n');
    out.write(`  dashboard  ${stack.api.url}/\n`);
    out.write(`  api        ${stack.api.url}/api/v1/runs   (OpenAPI: ${stack.api.url}/api/v1/openapi.json)\n`);
    out.write(`  health     ${stack.api.url}/healthz\n`);
    out.write(`  metrics    ${stack.tap.adminUrl ? `${stack.tap.adminUrl}/metrics (tap), ` : ''}${stack.api.url}/metrics (api)\n`);
    out.write(`  postgres   ${stack.infra.embedded.postgres ? `embedded, data in ${config.stateDir}/postgres` : 'DATABASE_URL'}\n`);
    out.write(`  redis      ${stack.infra.embedded.redis ? `local redis-server, data in ${config.stateDir}/redis` : 'REDIS_URL'}\n`);

    if (demo.length > 0) {
      out.write(`\nDemo: primary v1 vs candidate v2. Deliberate differences:\n`);
      for (const line of describeDemoDifferences()) out.write(`  - ${line}\n`);
      const mirroredSoFar = async (): Promise<number> => (await stack.tap.metrics.mirrored.get()).values[0]?.value ?? 0;
      const before = await mirroredSoFar();
      const traffic = await driveDemoTraffic(stack.tap.url, { requests: Number(flags.requests) });
      const mirrored = (await mirroredSoFar()) - before;
      out.write(`\nSent ${traffic.sent} requests through the tap (${traffic.failed} failed); ${mirrored} mirrored.\n`);
      const run = await waitForRun(stack, config.run);
      if (run) {
        const stored = await waitForStored(() => countExchanges(stack.pool, run.id), mirrored, 20_000);
        out.write(`${stored} exchanges compared and stored.\n`);
        await printRunSummary(createApiClient({ api: stack.api.url, ...(typeof flags.config === 'string' ? { config: flags.config } : {}) }), config.run, out);
        out.write(`\nSee it: ${stack.api.url}/runs/${encodeURIComponent(config.run)}   (API: ${stack.api.url}/api/v1/runs/${encodeURIComponent(config.run)}/endpoints)\n`);
      }
    }
    if (flags.exitAfterDemo) {
      await stack.close();
      await stopAll(demo);
      return;
    }
    out.write('\nPress Ctrl-C to stop.\n');
    await onShutdown(logger, [() => stack.close(), () => stopAll(demo)]);
    out.write('stopped.\n');
  });
}

async function waitForRun(stack: Awaited<ReturnType<typeof startStack>>, name: string) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const run = await findRun(stack.pool, name);
    if (run || Date.now() > deadline) return run;
    await new Promise((r) => setTimeout(r, 200));
  }
}
