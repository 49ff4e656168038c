import { Option, type Command } from 'commander';
import { loadConfig, type ShadowdiffConfig } from '@shadowdiff/config';

/** Flags shared by the commands that start services; each maps to a config path. */
const FLAG_PATHS: Record<string, string> = {
  primary: 'upstreams.primary',
  candidate: 'upstreams.candidate',
  secondary: 'upstreams.secondary',
  run: 'run',
  tapPort: 'tap.port',
  tapHost: 'tap.host',
  adminPort: 'tap.adminPort',
  apiPort: 'api.port',
  apiHost: 'api.host',
  mirrorPercentage: 'tap.mirrorPercentage',
  controlPercentage: 'tap.controlPercentage',
  concurrency: 'worker.concurrency',
  workerAdminPort: 'worker.adminPort',
  stateDir: 'stateDir',
  logLevel: 'log.level',
};

function numberFlag(value: string): number | string {
  // Left as a string when not numeric so config validation names the bad value.
  return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
}

export function addServiceOptions(command: Command, which: readonly (keyof typeof FLAG_PATHS)[]): Command {
  const all: Record<string, Option> = {
    primary: new Option('--primary <url>', 'the production upstream, whose response the client gets'),
    candidate: new Option('--candidate <url>', 'the version under validation'),
    secondary: new Option('--secondary <url>', 'a second production instance, to learn what is noise'),
    run: new Option('--run <name>', 'name of the comparison run captures are filed under'),
    tapPort: new Option('--tap-port <port>', 'port the tap listens on').argParser(numberFlag),
    tapHost: new Option('--tap-host <host>', 'address the tap listens on'),
    adminPort: new Option('--admin-port <port>', "port of the tap's /metrics (0: any free port)").argParser(numberFlag),
    apiPort: new Option('--api-port <port>', 'port the API and dashboard listen on').argParser(numberFlag),
    apiHost: new Option('--api-host <host>', 'address the API listens on'),
    mirrorPercentage: new Option('--mirror-percentage <0-100>', 'share of requests mirrored').argParser(numberFlag),
    controlPercentage: new Option('--control-percentage <0-100>', 'without a secondary: share of mirrored safe requests sent to the primary again, as the noise control').argParser(numberFlag),
    concurrency: new Option('--concurrency <n>', 'capture batches a worker processes at once').argParser(numberFlag),
    workerAdminPort: new Option('--worker-admin-port <port>', "port of the worker's /metrics, /healthz and /readyz (0: any free port)").argParser(numberFlag),
    stateDir: new Option('--state-dir <dir>', 'where embedded Postgres and the local Redis keep their data'),
    logLevel: new Option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent'),
  };
  for (const name of which) command.addOption(all[name]!);
  command.addOption(new Option('-c, --config <file>', 'YAML config file (default: ./shadowdiff.yaml if present)'));
  return command;
}

/** The validated config for a command: file, then environment, then its flags. */
export function configFromFlags(flags: Record<string, unknown>): ShadowdiffConfig {
  const overrides: Record<string, unknown> = {};
  for (const [flag, path] of Object.entries(FLAG_PATHS)) {
    if (flags[flag] !== undefined) overrides[path] = flags[flag];
  }
  return loadConfig({ ...(typeof flags.config === 'string' ? { file: flags.config } : {}), overrides });
}
