import { describe, expect, it } from 'vitest';
import { apiSection } from './report.ts';

describe('the API bench section', () => {
  it('gives each read its p99 growth from the smallest run to the largest, and whether it kept the limit', () => {
    const reads = (p99: number) => [
      { name: 'endpoints', p50: p99 / 2, p99 },
      { name: 'endpoints, first read after new exchanges', p50: p99, p99: p99 * 2 },
    ];
    const text = apiSection(
      [
        { size: 100_000, bytes: 2 ** 30 / 10, reads: reads(20) },
        { size: 10_000_000, bytes: null, reads: reads(250) },
      ],
      { samples: 50 },
    );
    expect(text).toContain('| read | 100k p50 / p99 | 10M p50 / p99 | p99 10M ÷ 100k | p99 at 10M < 200 ms |');
    expect(text).toContain('| endpoints | 10.0 / 20.0 | 125 / 250 | 12.50× | missed |');
    expect(text).toContain('| endpoints, first read after new exchanges | 20.0 / 40.0 | 250 / 500 | 12.50× | missed |');
    expect(text).toContain('10 more exchanges are stored in the run');
    expect(text).toContain('1.00 GiB per million exchanges at 100k');
  });

  it('gives the disk of a kept database as a whole when no run was filled', () => {
    const text = apiSection([{ size: 100_000, bytes: null, reads: [{ name: 'endpoints', p50: 1, p99: 2 }] }], { samples: 50 }, { bytes: 2 ** 30, exchanges: 2_000_000 });
    expect(text).toContain('0.50 GiB per million exchanges over its 2M exchanges');
  });
});
