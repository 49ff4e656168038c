import type { Capture } from '@shadowdiff/core';

/** How a capture's traffic is named on its run. */
export function trafficLabel(capture: Capture): string {
  switch (capture.source) {
    case 'mesh':
      return 'mesh recorders';
    case 'ingest':
      return 'ingest API';
    case 'replay':
      return capture.replayOf ? `replay of ${capture.replayOf}` : 'replay';
    default:
      return 'inline tap';
  }
}

/** Each run's traffic sources in a batch (run id → labels). */
export function trafficSourcesOf(captures: readonly Capture[], runIds: ReadonlyMap<string, string>): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  for (const capture of captures) {
    const runId = runIds.get(capture.run);
    if (runId === undefined) continue;
    let labels = out.get(runId);
    if (!labels) out.set(runId, (labels = new Set()));
    labels.add(trafficLabel(capture));
  }
  return new Map([...out].map(([runId, labels]) => [runId, [...labels]]));
}
