import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { loadConfig, type ShadowdiffConfig } from '@shadowdiff/config';
import type { Container, K8sObject, Workload } from './manifests.ts';

/** Stand-ins for the values the Secrets hold, shaped as the config loader wants them. */
export const SECRET_STAND_INS: Readonly<Record<string, string>> = {
  DATABASE_URL: 'postgres://shadowdiff:secret@postgres.example:5432/shadowdiff',
  REDIS_URL: 'redis://:secret@redis.example:6379',
  SHADOWDIFF_API_TOKEN: 'k8s-test-token-0123456789abcdef0123456789',
  SHADOWDIFF_REDACTION_KEY: 'k8s-test-redaction-key-0123456789abcdef',
};

/** Flags of `shadowdiff tap` given in the manifests' args, and the config paths they set. */
const FLAG_PATHS: Readonly<Record<string, string>> = {
  '--mode': 'tap.mode',
  '--side': 'tap.recorder.side',
  '--upstream': 'tap.recorder.upstream',
  '--join-window-ms': 'tap.recorder.joinWindowMs',
  '--run': 'run',
};

/** A shadowdiff process as a container runs it: its command, flags, environment and config. */
export interface ShadowdiffProcess {
  workload: Workload;
  container: Container;
  /** The subcommand: args[0]. */
  command: string;
  /** `--flag value` pairs of the args. */
  flags: Map<string, string>;
  /** The config the process would load: its ConfigMap's file, its environment, its flags. */
  config: ShadowdiffConfig;
}

/** `["tap", "--config", "x", "--side", "primary"]` → tap, { --config: x, --side: primary }. */
export function parseArgs(args: readonly string[]): { command: string; flags: Map<string, string> } {
  const [command = '', ...rest] = args;
  const flags = new Map<string, string>();
  for (let i = 0; i < rest.length; i += 1) {
    const arg = rest[i]!;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg} in ${args.join(' ')}`);
    const [flag, inline] = arg.split('=', 2) as [string, string | undefined];
    if (inline !== undefined) flags.set(flag, inline);
    else flags.set(flag, rest[(i += 1)] ?? '');
  }
  return { command, flags };
}

/** The text of the config file a container is given with --config, found through its mounts. */
function configFileText(objects: readonly K8sObject[], workload: Workload, container: Container, file: string): string {
  const mount = container.volumeMounts?.find((m) => file.startsWith(`${m.mountPath}/`));
  if (!mount) throw new Error(`${container.name}: no volume is mounted where --config ${file} points`);
  const volume = workload.pod.volumes?.find((v) => v.name === mount.name);
  if (!volume?.configMap) throw new Error(`${container.name}: ${file} is not on a ConfigMap volume`);
  const namespace = workload.object.metadata.namespace;
  const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === volume.configMap!.name && o.metadata.namespace === namespace);
  if (!configMap) throw new Error(`${container.name}: ConfigMap ${volume.configMap.name} is not in namespace ${namespace}`);
  const text = (configMap.data as Record<string, string> | undefined)?.[basename(file)];
  if (text === undefined) throw new Error(`${container.name}: ConfigMap ${volume.configMap.name} has no key ${basename(file)}`);
  return text;
}

/**
 * The config a shadowdiff container would run with, through the product's own loader: the file
 * from its ConfigMap, its environment (literal values as written, Secret references as stand-ins)
 * and its flags. A bad value throws the loader's own error.
 */
export function loadProcessConfig(objects: readonly K8sObject[], workload: Workload, container: Container): ShadowdiffProcess {
  const { command, flags } = parseArgs(container.args ?? []);
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    const ref = variable.valueFrom?.secretKeyRef;
    env[variable.name] = variable.value ?? (ref ? (SECRET_STAND_INS[ref.key] ?? 'stand-in-secret-value-0123456789') : '');
  }
  const overrides: Record<string, unknown> = {};
  for (const [flag, value] of flags) {
    const path = FLAG_PATHS[flag];
    if (path) overrides[path] = /^\d+$/.test(value) ? Number(value) : value;
  }
  const file = flags.get('--config');
  const dir = mkdtempSync(join(tmpdir(), 'shadowdiff-k8s-'));
  try {
    const path = join(dir, 'shadowdiff.yaml');
    writeFileSync(path, file ? configFileText(objects, workload, container, file) : '');
    return { workload, container, command, flags, config: loadConfig({ file: path, env, overrides }) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
