import { describe, expect, it } from 'vitest';
import { orderCapture } from '@shadowdiff/testkit';
import { trafficSourcesOf } from './traffic-sources.ts';

describe("a run's traffic sources", () => {
  it('names each kind of traffic once per run', () => {
    const inline = orderCapture('a', {});
    const mesh = { ...orderCapture('a', {}), source: 'mesh' as const };
    const replayed = { ...orderCapture('b', {}), source: 'replay' as const, replayOf: 'checkout.har' };
    const sources = trafficSourcesOf([inline, mesh, { ...inline }, replayed], new Map([['a', 'run-a'], ['b', 'run-b']]));
    expect(sources).toEqual(new Map([['run-a', ['inline tap', 'mesh recorders']], ['run-b', ['replay of checkout.har']]]));
  });
});
