import { describe, expect, it } from 'vitest';
import { compileRouteGlob } from '@shadowdiff/core';
import { hasKubectl, isShadowdiffImage, renderOverlay, resolvePort, selects, workloads, type K8sObject } from './kubernetes/manifests.ts';
import { loadProcessConfig, type ShadowdiffProcess } from './kubernetes/process-config.ts';

/**
 * The Istio multicluster overlay as one scenario: cluster A mirrors a share of httpbin's traffic
 * to cluster B; a recorder in front of each side records its half; the halves must be able to
 * meet (one run, one queue, the same request id) and be filed by cluster B's workers.
 */
interface HttpRoute {
  match?: { uri?: { prefix?: string } }[];
  route: { destination: { host: string; subset?: string; port?: { number: number } } }[];
  mirror?: { host: string; port?: { number: number } };
  mirrorPercentage?: { value: number };
}

const clusterA = hasKubectl ? renderOverlay('overlays/istio-multicluster/cluster-a') : [];
const clusterB = hasKubectl ? renderOverlay('overlays/istio-multicluster/cluster-b') : [];

function recorders(objects: readonly K8sObject[]): ShadowdiffProcess[] {
  return workloads(objects).flatMap((w) =>
    w.pod.containers
      .filter((c) => isShadowdiffImage(c.image))
      .map((c) => loadProcessConfig(objects, w, c))
      .filter((p) => p.command === 'tap' && p.config.tap.mode === 'recorder'),
  );
}

function routes(objects: readonly K8sObject[]): HttpRoute[] {
  return objects.filter((o) => o.kind === 'VirtualService').flatMap((o) => (o.spec as { http: HttpRoute[] }).http);
}

/** The recorders behind a Service host (`httpbin`, in the VirtualService's namespace), restricted to a DestinationRule subset if one is named. */
function recordersBehind(objects: readonly K8sObject[], host: string, port: number | undefined, subset?: string): ShadowdiffProcess[] {
  const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === host.split('.')[0]);
  expect(service, `Service ${host}`).toBeDefined();
  const spec = service!.spec as { selector: Record<string, string>; ports: { port: number; targetPort: number | string }[] };
  const servicePort = spec.ports.find((p) => port === undefined || p.port === port);
  expect(servicePort, `${host}:${port}`).toBeDefined();
  let labels = spec.selector;
  if (subset) {
    const rule = objects.find((o) => o.kind === 'DestinationRule' && (o.spec as { host: string }).host === host);
    const found = (rule?.spec as { subsets: { name: string; labels: Record<string, string> }[] } | undefined)?.subsets.find((s) => s.name === subset);
    expect(found, `subset ${subset} of ${host}`).toBeDefined();
    labels = { ...labels, ...found!.labels };
  }
  const behind = recorders(objects).filter((r) => selects(labels, r.workload.labels));
  // The Service's port reaches the recorder, not the application behind it.
  for (const r of behind) expect(resolvePort(r.container, servicePort!.targetPort), `${host} → ${r.workload.object.metadata.name}`).toBe(r.config.tap.port);
  return behind;
}

describe.skipIf(!hasKubectl)('the Istio multicluster overlay', () => {
  it('mirrors a share of cluster A traffic to cluster B through a ServiceEntry, with a primary recorder behind the route', () => {
    const mirrored = routes(clusterA).filter((r) => r.mirror);
    expect(mirrored).toHaveLength(1);
    const [route] = mirrored as [HttpRoute];
    expect(route.mirrorPercentage?.value).toBeGreaterThan(0);
    expect(route.mirrorPercentage?.value).toBeLessThanOrEqual(100);
    const entry = clusterA.find((o) => o.kind === 'ServiceEntry' && (o.spec as { hosts: string[] }).hosts.includes(route.mirror!.host));
    expect(entry, route.mirror!.host).toBeDefined();
    expect((entry!.spec as { ports: { number: number }[] }).ports.map((p) => p.number)).toContain(route.mirror!.port?.number);
    const { host, subset, port } = route.route[0]!.destination;
    const primaries = recordersBehind(clusterA, host, port?.number, subset);
    expect(primaries.length).toBeGreaterThan(0);
    for (const p of primaries) expect(p.config.tap.recorder.side).toBe('primary');
  });

  it('routes the mirrored copies in cluster B to a candidate recorder, keeping their request id at the gateway', () => {
    const [route] = routes(clusterB) as [HttpRoute];
    const { host, subset, port } = route.route[0]!.destination;
    const candidates = recordersBehind(clusterB, host, port?.number, subset);
    expect(candidates.length).toBeGreaterThan(0);
    for (const c of candidates) expect(c.config.tap.recorder.side).toBe('candidate');
    const filters = clusterB.filter((o) => o.kind === 'EnvoyFilter' && JSON.stringify(o.spec).includes('"preserve_external_request_id":true'));
    expect(filters).toHaveLength(1);
    expect((filters[0]!.spec as { workloadSelector: { labels: Record<string, string> } }).workloadSelector.labels).toEqual({ istio: 'ingressgateway' });
  });

  it('records the mirrored paths on both sides under one run and queue, which cluster B workers consume', () => {
    const all = [...recorders(clusterA), ...recorders(clusterB)];
    expect(new Set(all.map((r) => r.config.tap.recorder.side))).toEqual(new Set(['primary', 'candidate']));
    expect(new Set(all.map((r) => r.config.run)).size).toBe(1);
    expect(new Set(all.map((r) => r.config.redis.prefix)).size).toBe(1);
    const mirroredPrefix = routes(clusterA).find((r) => r.mirror)!.match![0]!.uri!.prefix!;
    for (const r of all) {
      const include = r.config.tap.routes.include.map((p) => compileRouteGlob(p));
      expect(include.some((p) => p.matches('GET', mirroredPrefix)), `${r.workload.object.metadata.name} records ${mirroredPrefix}`).toBe(true);
    }
    const workers = workloads(clusterB).flatMap((w) => w.pod.containers.filter((c) => c.args?.[0] === 'worker').map((c) => loadProcessConfig(clusterB, w, c)));
    expect(workers.length).toBeGreaterThan(0);
    for (const w of workers) expect(w.config.redis.prefix).toBe(all[0]!.config.redis.prefix);
    // Istio mirrors, so cluster B runs no inline tap.
    expect(workloads(clusterB).flatMap((w) => w.pod.containers).filter((c) => c.args?.[0] === 'tap' && !c.args.includes('recorder'))).toEqual([]);
  });
});
