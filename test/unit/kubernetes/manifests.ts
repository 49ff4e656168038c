import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, parse } from 'yaml';
import * as core from 'kubernetes-models';
import * as keda from '@kubernetes-models/keda';
import * as istio from '@kubernetes-models/istio';

/** The repository's root and its Kubernetes manifests. */
export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const kubernetesDir = join(root, 'deploy/kubernetes');

/** One Kubernetes object as rendered. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** kubectl renders Kustomize; where it is missing, the raw files each kustomization lists stand in. */
export const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;

/**
 * The overlays to render, relative to deploy/kubernetes: each folder under overlays/ with a
 * kustomization, or, for a scenario spanning clusters, each of its subfolders with one.
 */
export function overlayDirs(): string[] {
  const overlays = join(kubernetesDir, 'overlays');
  return readdirSync(overlays).flatMap((name) => {
    const dir = join(overlays, name);
    if (existsSync(join(dir, 'kustomization.yaml'))) return [relative(kubernetesDir, dir)];
    return readdirSync(dir)
      .filter((sub) => existsSync(join(dir, sub, 'kustomization.yaml')) && sub !== 'recorders')
      .map((sub) => relative(kubernetesDir, join(dir, sub)));
  });
}

function parseObjects(text: string, from: string): K8sObject[] {
  return parseAllDocuments(text).flatMap((doc) => {
    if (doc.errors.length > 0) throw new Error(`${from}: ${doc.errors[0]!.message}`);
    const value = doc.toJS() as K8sObject | null;
    return value ? [value] : [];
  });
}

/** The raw resources a kustomization (or component) lists, folders followed; patches are not applied. */
function rawResources(dir: string): K8sObject[] {
  const kustomization = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as { resources?: string[]; components?: string[] };
  return [...(kustomization.resources ?? []), ...(kustomization.components ?? [])].flatMap((entry) => {
    const path = resolve(dir, entry);
    if (statSync(path).isDirectory()) return rawResources(path);
    return parseObjects(readFileSync(path, 'utf8'), path);
  });
}

/** An overlay's objects: `kubectl kustomize` output, or the raw resources without kubectl. */
export function renderOverlay(dir: string): K8sObject[] {
  const path = join(kubernetesDir, dir);
  if (!hasKubectl) return rawResources(path);
  return parseObjects(execFileSync('kubectl', ['kustomize', path], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }), dir);
}

interface ModelClass {
  apiVersion: string;
  kind: string;
  new (data: unknown): { validate(): void };
}

function collectModels(namespace: unknown, into: Map<string, ModelClass>, depth = 0): Map<string, ModelClass> {
  if (depth > 4 || namespace === null || typeof namespace !== 'object') return into;
  for (const value of Object.values(namespace as Record<string, unknown>)) {
    if (typeof value === 'function') {
      const model = value as Partial<ModelClass>;
      if (typeof model.apiVersion === 'string' && typeof model.kind === 'string') into.set(`${model.apiVersion}/${model.kind}`, value as ModelClass);
    } else collectModels(value, into, depth + 1);
  }
  return into;
}

/** Every model of the core, KEDA and Istio packages, by `apiVersion/kind`. */
export const models: ReadonlyMap<string, ModelClass> = collectModels({ core, keda, istio }, new Map());

/** Validates an object against its model's schema; an unknown kind is an error too. */
export function validateObject(object: K8sObject): void {
  const Model = models.get(`${object.apiVersion}/${object.kind}`);
  if (!Model) throw new Error(`no schema for ${object.apiVersion} ${object.kind} (${object.metadata?.name})`);
  new Model(object).validate();
}

/** A container as far as these checks read it. */
export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: unknown } }[];
  envFrom?: unknown[];
  ports?: { name?: string; containerPort: number }[];
  readinessProbe?: { httpGet?: { path: string; port: number | string } };
  livenessProbe?: { httpGet?: { path: string; port: number | string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}

/** A pod template's spec. */
export interface PodSpec {
  containers: Container[];
  securityContext?: Record<string, unknown>;
  volumes?: { name: string; configMap?: { name: string }; emptyDir?: unknown; secret?: unknown }[];
}

/** A workload with its pod template (Deployments and Jobs). */
export interface Workload {
  object: K8sObject;
  labels: Record<string, string>;
  pod: PodSpec;
}

/** The Deployments and Jobs among the objects, each with its pod template. */
export function workloads(objects: readonly K8sObject[]): Workload[] {
  return objects
    .filter((o) => o.kind === 'Deployment' || o.kind === 'Job')
    .map((object) => {
      const template = (object.spec as { template: { metadata?: { labels?: Record<string, string> }; spec: PodSpec } }).template;
      return { object, labels: template.metadata?.labels ?? {}, pod: template.spec };
    });
}

/** The number a probe's or a Service's port stands for in a container: a number, or a port's name. */
export function resolvePort(container: Container, port: number | string): number | undefined {
  if (typeof port === 'number') return container.ports?.some((p) => p.containerPort === port) ? port : undefined;
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

/** Whether a label selector (matchLabels form or a Service's plain map) selects these labels. */
export function selects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  return selector !== undefined && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** Whether an image is shadowdiff's (`shadowdiff:local`, `registry.example.com/shadowdiff:0.1.0`). */
export function isShadowdiffImage(image: string): boolean {
  return /(^|\/)shadowdiff(:[^/]+)?$/.test(image);
}
