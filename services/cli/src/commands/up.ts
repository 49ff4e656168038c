import type { Command } from 'commander';
import { Option } from 'commander';
import { Registry } from 'prom-client';
import type { ShadowdiffConfig } from '@shadowdiff/config';
import { createLogger } from '@shadowdiff/core';
import { driveDemoTraffic, describeDemoDifferences } from '@shadowdiff/demo';
import { countExchanges, findRun } from '@shadowdiff/store';
import { addServiceOptions, configFromFlags } from '../options.ts';
import { isShuttingDown, onShutdown } from '../shutdown.ts';
import { startStack, type Stack } from '../stack.ts';
import { printAddresses, waitForStored } from '../stack-output.ts';
import { createApiClient } from '../api-client.ts';
import { createSupervisor, type Supervisor } from '../supervisor.ts';
import { printRunSummary } from '../summary.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A counter from a Prometheus endpoint, or undefined when it cannot be read. */
async function readCounter(metricsUrl: string | undefined, name: string): Promise<number | undefined> {
  if (!metricsUrl) return undefined;
  try {
    const text = await (await fetch(metricsUrl, { signal: AbortSignal.timeout(5000) })).text();
    const value = new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1];
    return value === undefined ? undefined : Number(value);
  } catch {
    return undefined;
  }
}

/**
 * The demo's three sides, each a supervised process of its own, as real services would be, so
 * their latencies can be compared; each on a free port it takes itself, and is restarted on, so a
 * restarted side comes back where the tap sends to.
 */
async function startDemoSides(supervisor: Supervisor, logLevel: string): Promise<ShadowdiffConfig['upstreams']> {
  const sides = ['primary', 'candidate', 'secondary'] as const;
  const env = { SHADOWDIFF_LOG_LEVEL: logLevel };
  const args = (side: string, port: string): string[] => ['demo', '--only', side, '--port', port];
  const started = await Promise.allSettled(
    sides.map((side) =>
      supervisor.start({
        name: `demo ${side}`,
        args: args(side, '0'),
        env,
        ready: new RegExp(`^${side} (\\S+)`, 'm'),
        pin: ([, url]) => ({ args: args(side, new URL(url!).port), env }),
      }),
    ),
  );
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  const [primary, candidate, secondary] = started.map((result) => (result as PromiseFulfilledResult<RegExpMatchArray>).value[1]!);
  return { primary, candidate, secondary };
}


/** Sends the demo's traffic through the tap and prints what the API judged. */
async function runDemo(stack: Stack, config: ShadowdiffConfig, flags: Record<string, unknown>, signal: AbortSignal): Promise<void> {
  const out = process.stdout;
  const tap = stack.tap;
  if (!tap) throw new Error('the demo sends its traffic through the tap, and this stack has none');
  out.write(`\nDemo: primary v1 vs candidate v2. Deliberate differences:\n`);
  for (const line of describeDemoDifferences()) out.write(`  - ${line}\n`);
  const tapMetrics = tap.adminUrl && `${tap.adminUrl}/metrics`;
  const before = await readCounter(tapMetrics, 'shadowdiff_tap_mirrored_total');
  const traffic = await driveDemoTraffic(tap.url, { requests: Number(flags.requests), signal });
  // Stopped (Ctrl-C): the parts are being shut down; there is nothing left to read.
  if (signal.aborted) return;
  const after = await readCounter(tapMetrics, 'shadowdiff_tap_mirrored_total');
  const mirrored = before === undefined || after === undefined ? undefined : after - before;
  out.write(`\nSent ${traffic.sent} requests through the tap (${traffic.failed} failed)${mirrored === undefined ? '.' : `; ${mirrored} mirrored.`}\n`);
  const run = await waitForRun(stack, config.run);
  if (!run) return;
  const stored = await waitForStored(() => countExchanges(stack.pool, run.id), mirrored, 20_000);
  out.write(`${stored} exchanges compared and stored.\n`);
  await printRunSummary(createApiClient({ api: stack.api.url, ...(typeof flags.config === 'string' ? { config: flags.config } : {}) }), config.run, out);
  out.write(`\nSee it: ${stack.api.url}/runs/${encodeURIComponent(config.run)}   (API: ${stack.api.url}/api/v1/runs/${encodeURIComponent(config.run)}/endpoints)\n`);
}

export function registerUp(program: Command): void {
  const command = program
    .command('up')
    .description('start the whole stack (tap, worker, API) on one machine, each part restarted if it dies; with no upstreams, run the demo')
    .addOption(new Option('--requests <n>', 'demo: requests to send through the tap').default(300).argParser(Number))
    .addOption(new Option('--exit-after-demo', 'demo: print the summary, then stop'));
  addServiceOptions(command, ['primary', 'candidate', 'secondary', 'run', 'tapPort', 'adminPort', 'apiPort', 'mirrorPercentage', 'controlPercentage', 'concurrency', 'workerAdminPort', 'stateDir', 'logLevel']);
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
    const registry = new Registry();
    const supervisor = createSupervisor({ logger, registry });
    const configFile = typeof flags.config === 'string' ? flags.config : undefined;
    const demo = !config.upstreams.primary;
    const stack = await (async () => {
      if (demo) {
        config.upstreams = await startDemoSides(supervisor, config.log.level);
        if (flags.run === undefined && config.run === 'default') config.run = 'demo';
      }
      return startStack(config, logger, { supervisor, registry, ...(configFile ? { configFile } : {}) });
    })().catch(async (error: unknown) => {
      await supervisor.stop();
      throw error;
    });
    // The orderly shutdown takes over from the start-up abort before anything is printed, so a
    // Ctrl-C at any moment from here on (during the demo, or the instant "Press Ctrl-C" shows)
    // stops the parts in order instead of ending this process by the signal's default action.
    const demoTraffic = new AbortController();
    const shutdown = onShutdown(logger, [async () => demoTraffic.abort(), () => stack.close()]);
    process.off('SIGINT', abort).off('SIGTERM', abort);
    printAddresses(stack, config);

    // Until a signal (or the demo's end), unless a part keeps crashing or a local server dies:
    // then everything stops, and the failure is this command's error.
    const work = async (): Promise<void> => {
      if (demo) await runDemo(stack, config, flags, demoTraffic.signal);
      if (demoTraffic.signal.aborted) {
        await shutdown;
        process.stdout.write('stopped.\n');
        return;
      }
      if (flags.exitAfterDemo) return stack.close();
      process.stdout.write('\nPress Ctrl-C to stop.\n');
      await shutdown;
      process.stdout.write('stopped.\n');
    };
    const working = work();
    await Promise.race([working, stack.failed]).catch(async (error: unknown) => {
      // A part lost, or a demo cut short, while shutting down after a signal is part of
      // stopping, not a failure.
      if (isShuttingDown()) {
        await shutdown;
        return;
      }
      await stack.close();
      throw error;
    });
  });
}

async function waitForRun(stack: Stack, name: string) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const run = await findRun(stack.pool, name);
    if (run || Date.now() > deadline) return run;
    await sleep(200);
  }
}
