import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENV_VARIABLES } from '@shadowdiff/config';
import { captureWaitListKey } from '@shadowdiff/queue';
import { readCliHelp, type CommandHelp } from './kubernetes/cli-help.ts';
import { hasKubectl, isShadowdiffImage, overlayDirs, renderOverlay, resolvePort, root, selects, validateObject, workloads, type K8sObject } from './kubernetes/manifests.ts';
import { loadProcessConfig, type ShadowdiffProcess } from './kubernetes/process-config.ts';

/**
 * The Kubernetes manifests, checked offline against what the processes really read: every
 * object against the Kubernetes, KEDA and Istio schemas, and every shadowdiff container against
 * the CLI's commands and flags, the config loader's variables and validation, and its ports.
 */
const targets = ['base', ...overlayDirs()];
const rendered = new Map(targets.map((dir) => [dir, renderOverlay(dir)]));
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  'x-shadowdiff': { image: string };
  services: Record<string, { image?: string; environment?: Record<string, string> }>;
};

/** Secrets each process cannot run without, each to come from a Secret rather than the manifest. */
const REQUIRED_SECRETS: Readonly<Record<string, readonly string[]>> = {
  tap: ['REDIS_URL', 'SHADOWDIFF_REDACTION_KEY'],
  worker: ['DATABASE_URL', 'REDIS_URL'],
  api: ['DATABASE_URL', 'REDIS_URL', 'SHADOWDIFF_API_TOKEN', 'SHADOWDIFF_REDACTION_KEY'],
  migrate: ['DATABASE_URL'],
};
const SECRET_VARIABLES = new Set(Object.values(REQUIRED_SECRETS).flat());

/** Where each process serves /healthz and /readyz, by its config. */
function healthPort(process: ShadowdiffProcess): { port: number; host: string } | undefined {
  const { config } = process;
  if (process.command === 'tap') return { port: config.tap.adminPort, host: config.tap.adminHost };
  if (process.command === 'worker') return { port: config.worker.adminPort, host: config.worker.adminHost };
  if (process.command === 'api') return { port: config.api.port, host: config.api.host };
  return undefined;
}

function shadowdiffProcesses(objects: readonly K8sObject[]): ShadowdiffProcess[] {
  return workloads(objects).flatMap((workload) =>
    workload.pod.containers.filter((c) => isShadowdiffImage(c.image)).map((container) => loadProcessConfig(objects, workload, container)),
  );
}

let cli: { subcommands: Set<string>; commands: Map<string, CommandHelp> };
beforeAll(async () => {
  cli = await readCliHelp(Object.keys(REQUIRED_SECRETS));
}, 120_000);

it('renders every overlay, each with objects', () => {
  expect(targets).toEqual(expect.arrayContaining(['base', 'overlays/production', 'overlays/istio-multicluster/cluster-a', 'overlays/istio-multicluster/cluster-b']));
  for (const [dir, objects] of rendered) expect(objects.length, dir).toBeGreaterThan(0);
});

it('runs shadowdiff as the Dockerfile builds it: its image, its entrypoint, its numeric user', () => {
  expect(dockerfile).toMatch(/^FROM node:\S+/m);
  // The node images' "node" user is uid 1000: runAsNonRoot can only check a number.
  expect(dockerfile).toMatch(/^USER node$/m);
  expect(dockerfile).toMatch(/^ENTRYPOINT \["node", "services\/cli\/bin\/shadowdiff.js"\]$/m);
  const images = new Set(shadowdiffProcesses(rendered.get('base')!).map((p) => p.container.image));
  expect([...images]).toEqual([compose['x-shadowdiff'].image]);
});

it('takes from Secrets every secret docker-compose.yml requires', () => {
  const processes = Object.values(compose.services).filter((service) => service.image === compose['x-shadowdiff'].image);
  const required = new Set(processes.flatMap((service) => Object.entries(service.environment ?? {}).filter(([, value]) => /\$\{[A-Z_]+:\?/.test(String(value))).map(([name]) => name)));
  expect([...required].sort()).toEqual(['DATABASE_URL', 'SHADOWDIFF_API_TOKEN', 'SHADOWDIFF_REDACTION_KEY']);
  const fromSecrets = new Set(shadowdiffProcesses(rendered.get('base')!).flatMap((p) => (p.container.env ?? []).filter((v) => v.valueFrom?.secretKeyRef).map((v) => v.name)));
  for (const name of required) expect([...fromSecrets], name).toContain(name);
});

describe.each(targets)('%s', (dir) => {
  const objects = rendered.get(dir)!;
  const processes = shadowdiffProcesses(objects);
  const inNamespace = (o: K8sObject, namespace: string | undefined): boolean => o.metadata.namespace === namespace;

  it('validates every object against the Kubernetes, KEDA and Istio schemas', () => {
    for (const object of objects) expect(() => validateObject(object), `${object.kind} ${object.metadata.name}`).not.toThrow();
  });

  it('runs one shadowdiff image throughout, through the image entrypoint, with real subcommands and flags', () => {
    // Without kubectl the recorder sidecars (patches) are not in the raw files.
    if (hasKubectl) expect(processes.length).toBeGreaterThan(0);
    expect(new Set(processes.map((p) => p.container.image)).size).toBeLessThanOrEqual(1);
    for (const { container, command, flags } of processes) {
      expect(container.command, container.name).toBeUndefined();
      expect(cli.subcommands, container.name).toContain(command);
      const accepted = cli.commands.get(command)?.flags;
      expect(accepted, `${container.name}: ${command}`).toBeDefined();
      for (const [flag, value] of flags) {
        expect([...accepted!.keys()], `${container.name}: ${command} ${flag}`).toContain(flag);
        const choices = accepted!.get(flag);
        if (choices) expect(choices, `${container.name}: ${flag} ${value}`).toContain(value);
      }
    }
  });

  it('sets only variables the config loader reads, and the secrets only from Secrets', () => {
    for (const { container, command } of processes) {
      expect(container.envFrom, container.name).toBeUndefined();
      for (const variable of container.env ?? []) {
        expect(Object.keys(ENV_VARIABLES), `${container.name}: ${variable.name}`).toContain(variable.name);
        if (SECRET_VARIABLES.has(variable.name)) expect(variable.valueFrom?.secretKeyRef, `${container.name}: ${variable.name}`).toBeDefined();
      }
      const fromSecrets = (container.env ?? []).filter((v) => v.valueFrom?.secretKeyRef).map((v) => v.name);
      expect(fromSecrets, `${container.name} (${command})`).toEqual(expect.arrayContaining([...REQUIRED_SECRETS[command]!]));
    }
  });

  it('hashes secrets with one redaction key wherever it is used in a namespace', () => {
    const refs = new Map<string | undefined, Set<string>>();
    for (const { workload, container } of processes) {
      const ref = container.env?.find((v) => v.name === 'SHADOWDIFF_REDACTION_KEY')?.valueFrom?.secretKeyRef;
      if (!ref) continue;
      const namespace = workload.object.metadata.namespace;
      refs.set(namespace, (refs.get(namespace) ?? new Set()).add(`${ref.name}/${ref.key}`));
    }
    for (const [namespace, keys] of refs) expect([...keys], namespace).toHaveLength(1);
  });

  it('probes /healthz and /readyz on the port and address each process serves them on', () => {
    for (const process of processes) {
      const { container } = process;
      const health = healthPort(process);
      if (!health) continue;
      // The API is ready when it can serve readers (its database answers), whatever the queue behind it does.
      expect(container.readinessProbe?.httpGet?.path, container.name).toBe(process.command === 'api' ? '/readyz?check=postgres' : '/readyz');
      expect(container.livenessProbe?.httpGet?.path, container.name).toBe('/healthz');
      expect(resolvePort(container, container.readinessProbe!.httpGet!.port), `${container.name} readiness`).toBe(health.port);
      expect(resolvePort(container, container.livenessProbe!.httpGet!.port), `${container.name} liveness`).toBe(health.port);
      // The kubelet probes the pod's address, never its loopback.
      expect(health.host, container.name).toBe('0.0.0.0');
      if (process.command === 'tap') {
        expect(process.config.tap.host, container.name).toBe('0.0.0.0');
        expect(container.ports?.map((p) => p.containerPort), container.name).toContain(process.config.tap.port);
      }
    }
  });

  it('puts each recorder in front of an application port of its own pod', () => {
    for (const { workload, container, config } of processes.filter((p) => p.command === 'tap' && p.config.tap.mode === 'recorder')) {
      const upstream = new URL(config.tap.recorder.upstream!);
      expect(upstream.hostname, container.name).toBe('127.0.0.1');
      const appPorts = workload.pod.containers.filter((c) => c !== container).flatMap((c) => c.ports?.map((p) => p.containerPort) ?? []);
      expect(appPorts, `${workload.object.metadata.name}: ${upstream.href}`).toContain(Number(upstream.port || 80));
      expect(config.tap.recorder.side, container.name).not.toBe('auto');
    }
  });

  it('runs as a non-root user with a read-only root filesystem, no privilege escalation and no capabilities', () => {
    for (const { workload, container, config } of processes) {
      const context = { ...workload.pod.securityContext, ...container.securityContext };
      expect(context, container.name).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
      expect((context.capabilities as { drop?: string[] } | undefined)?.drop, container.name).toContain('ALL');
      // What the process may write (its state folder) lies on a writable emptyDir.
      const writable = container.volumeMounts?.find((m) => config.stateDir.startsWith(`${m.mountPath}/`) && workload.pod.volumes?.find((v) => v.name === m.name)?.emptyDir);
      expect(writable, `${container.name}: stateDir ${config.stateDir}`).toBeDefined();
    }
  });

  it('requests and limits resources', () => {
    for (const { container } of processes) {
      expect(container.resources?.requests, container.name).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
      expect(container.resources?.limits, container.name).toMatchObject({ memory: expect.any(String) });
    }
  });

  it('scales every worker Deployment with KEDA on the wait list its workers consume, read with their Redis credentials', () => {
    for (const { workload, container, config } of processes.filter((p) => p.command === 'worker')) {
      const { name, namespace } = workload.object.metadata;
      // KEDA's HPA owns the replicas.
      expect((workload.object.spec as { replicas?: number }).replicas, name).toBeUndefined();
      const scaled = objects.filter((o) => o.kind === 'ScaledObject' && inNamespace(o, namespace) && (o.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name === name);
      expect(scaled, name).toHaveLength(1);
      const spec = scaled[0]!.spec as { minReplicaCount?: number; triggers: { type: string; metadata: Record<string, string>; authenticationRef?: { name: string } }[] };
      expect(spec.minReplicaCount, name).toBeGreaterThanOrEqual(1);
      const redis = spec.triggers.filter((t) => t.type === 'redis');
      expect(redis, name).toHaveLength(1);
      expect(redis[0]!.metadata.listName).toBe(captureWaitListKey(config.redis.prefix));
      expect(Number(redis[0]!.metadata.listLength)).toBeGreaterThan(0);
      const auth = objects.find((o) => o.kind === 'TriggerAuthentication' && inNamespace(o, namespace) && o.metadata.name === redis[0]!.authenticationRef?.name);
      expect(auth, `TriggerAuthentication ${redis[0]!.authenticationRef?.name}`).toBeDefined();
      const refs = (auth!.spec as { secretTargetRef: { parameter: string; name: string; key: string }[] }).secretTargetRef;
      const redisSecret = container.env?.find((v) => v.name === 'REDIS_URL')?.valueFrom?.secretKeyRef?.name;
      expect(refs.map((r) => r.parameter)).toEqual(expect.arrayContaining(['address', 'password']));
      for (const ref of refs) expect(ref.name, ref.parameter).toBe(redisSecret);
    }
  });

  it('migrates the database its workers and API use, with a Job of its own', () => {
    const users = processes.filter((p) => p.command === 'worker' || p.command === 'api');
    if (users.length === 0) return;
    const migrations = processes.filter((p) => p.command === 'migrate' && p.workload.object.kind === 'Job');
    expect(migrations).toHaveLength(1);
    const database = (p: ShadowdiffProcess): unknown => p.container.env?.find((v) => v.name === 'DATABASE_URL')?.valueFrom?.secretKeyRef;
    for (const user of users) expect(database(user), user.container.name).toEqual(database(migrations[0]!));
    expect((migrations[0]!.workload.object.spec as { template: { spec: { restartPolicy: string } } }).template.spec.restartPolicy).toMatch(/^(Never|OnFailure)$/);
    // Under Argo CD: what the Job mounts and runs as comes in an earlier wave, the processes in a later one.
    const wave = (o: K8sObject | undefined): number => Number(o?.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0);
    const job = migrations[0]!.workload;
    const named = (kind: string, name: string | undefined): K8sObject | undefined => objects.find((o) => o.kind === kind && o.metadata.name === name && inNamespace(o, job.object.metadata.namespace));
    const needs = [named('ServiceAccount', (job.pod as { serviceAccountName?: string }).serviceAccountName), ...(job.pod.volumes ?? []).flatMap((v) => (v.configMap ? [named('ConfigMap', v.configMap.name)] : []))];
    for (const need of needs) expect(wave(need), `${need?.kind} ${need?.metadata.name}`).toBeLessThan(wave(job.object));
    for (const user of users) expect(wave(user.workload.object), user.workload.object.metadata.name).toBeGreaterThan(wave(job.object));
  });

  it('routes every Ingress to a Service port that exists', () => {
    for (const ingress of objects.filter((o) => o.kind === 'Ingress')) {
      const backends = (ingress.spec as { rules: { http: { paths: { backend: { service: { name: string; port: { name?: string; number?: number } } } }[] } }[] }).rules.flatMap((r) => r.http.paths.map((p) => p.backend.service));
      for (const backend of backends) {
        const service = objects.find((o) => o.kind === 'Service' && inNamespace(o, ingress.metadata.namespace) && o.metadata.name === backend.name);
        const ports = (service?.spec as { ports: { name?: string; port: number }[] } | undefined)?.ports ?? [];
        expect(ports.some((p) => (backend.port.name ? p.name === backend.port.name : p.port === backend.port.number)), `${ingress.metadata.name} → ${backend.name}`).toBe(true);
      }
    }
  });

  it.skipIf(!hasKubectl)('sends every Service port to a container port of the pods it selects', () => {
    for (const service of objects.filter((o) => o.kind === 'Service')) {
      const spec = service.spec as { selector: Record<string, string>; ports: { port: number; targetPort?: number | string }[] };
      const pods = workloads(objects).filter((w) => w.object.kind === 'Deployment' && inNamespace(w.object, service.metadata.namespace) && selects(spec.selector, w.labels));
      expect(pods.length, `Service ${service.metadata.name}`).toBeGreaterThan(0);
      for (const pod of pods) {
        for (const port of spec.ports) {
          const target = port.targetPort ?? port.port;
          expect(pod.pod.containers.map((c) => resolvePort(c, target)).filter((p) => p !== undefined), `Service ${service.metadata.name} → ${pod.object.metadata.name}:${target}`).toHaveLength(1);
        }
      }
    }
  });

  it.skipIf(!hasKubectl)('keeps a PodDisruptionBudget over every shadowdiff Deployment', () => {
    const budgets = objects.filter((o) => o.kind === 'PodDisruptionBudget');
    for (const { workload } of processes.filter((p) => p.workload.object.kind === 'Deployment' && p.workload.object.metadata.name.startsWith('shadowdiff-'))) {
      const covered = budgets.some((b) => inNamespace(b, workload.object.metadata.namespace) && selects((b.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels, workload.labels));
      expect(covered, workload.object.metadata.name).toBe(true);
    }
  });
});
