import { describe, expect, it } from 'vitest';
import type { Capture } from '@shadowdiff/core';
import { groupByShard, shardOf, shardPrefixes } from './shards.ts';

const capture = (id: string): Capture => ({ id }) as Capture;

describe('queue shards', () => {
  it('keeps one queue under the plain prefix on a single Redis, and hash-tags every other shard and every shard of a cluster', () => {
    expect(shardPrefixes({ prefix: 'bull', shards: 1, cluster: false })).toEqual(['bull']);
    expect(shardPrefixes({ prefix: 'bull', shards: 3, cluster: false })).toEqual(['bull', '{bull-1}', '{bull-2}']);
    expect(shardPrefixes({ prefix: 'q', shards: 2, cluster: true })).toEqual(['{q-0}', '{q-1}']);
    expect(() => shardPrefixes({ prefix: 'bull', shards: 0, cluster: false })).toThrow(/whole number from 1/);
  });

  it('sends a capture to the same shard every time, and spreads many captures over every shard', () => {
    const ids = Array.from({ length: 4000 }, (_, i) => `capture-${i}-${(i * 7919) % 1000}`);
    expect(ids.map((id) => shardOf(id, 8))).toEqual(ids.map((id) => shardOf(id, 8)));
    const counts = new Array<number>(8).fill(0);
    for (const id of ids) counts[shardOf(id, 8)]! += 1;
    for (const count of counts) expect(count).toBeGreaterThan(350);
    expect(ids.every((id) => shardOf(id, 1) === 0)).toBe(true);
  });

  it('groups a batch per shard, keeping its order, so a batch sent again forms the same groups', () => {
    const captures = Array.from({ length: 50 }, (_, i) => capture(`c${i}`));
    const groups = groupByShard(captures, 4);
    expect(groups.flat()).toHaveLength(50);
    groups.forEach((group, shard) => {
      for (const c of group) expect(shardOf(c.id, 4)).toBe(shard);
      expect(group.map((c) => Number(c.id.slice(1)))).toEqual([...group.map((c) => Number(c.id.slice(1)))].sort((a, b) => a - b));
    });
    expect(groupByShard([...captures], 4)).toEqual(groups);
  });
});
