import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { root } from './manifests.ts';

const run = promisify(execFile);
const cli = join(root, 'services/cli/bin/shadowdiff-dev.js');

/** What `shadowdiff <command> --help` says the command takes: each flag, with its choices if it lists them. */
export interface CommandHelp {
  flags: Map<string, string[] | undefined>;
}

async function help(args: string[]): Promise<string> {
  return (await run(process.execPath, [cli, ...args, '--help'], { cwd: root, encoding: 'utf8', timeout: 90_000 })).stdout;
}

/** The options section of a help text: each `--flag` and the choices it lists. */
function parseFlags(text: string): Map<string, string[] | undefined> {
  const section = text.split(/^Options:$/m)[1] ?? '';
  const flags = new Map<string, string[] | undefined>();
  // Each option starts on a line of its own, indented two spaces, with its description wrapped below.
  for (const block of section.split(/\n(?= {2}-)/)) {
    const flag = /--[a-z][a-z-]*/.exec(block)?.[0];
    if (!flag) continue;
    const choices = /\(choices: ([^)]*)\)/.exec(block.replace(/\s+/g, ' '))?.[1];
    flags.set(flag, choices?.split(',').map((c) => c.trim().replace(/^"|"$/g, '')));
  }
  return flags;
}

/** The shadowdiff binary's subcommands and, for those asked for, their flags, read from its own help. */
export async function readCliHelp(commands: readonly string[]): Promise<{ subcommands: Set<string>; commands: Map<string, CommandHelp> }> {
  const [top, ...each] = await Promise.all([help([]), ...commands.map((c) => help([c]))]);
  const listed = (top.split(/^Commands:$/m)[1] ?? '').matchAll(/^ {2}([a-z][a-z-]*)/gm);
  return {
    subcommands: new Set([...listed].map((m) => m[1]!).filter((c) => c !== 'help')),
    commands: new Map(commands.map((c, i) => [c, { flags: parseFlags(each[i]!) }])),
  };
}
