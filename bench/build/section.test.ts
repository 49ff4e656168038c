import { describe, expect, it } from 'vitest';
import { buildSection, type BuildResults } from './section.ts';

const spread = (median: number, low: number, high: number) => ({ median, low, high });
const results = (cpu: [number, number, number][], cpuRatio: [number, number, number]): BuildResults => ({
  date: '2026-12-01T00:00:00.000Z',
  rounds: 5,
  rate: 1000,
  seconds: 10,
  results: [],
  figures: {
    startupMs: [spread(4500, 3400, 4700), spread(6700, 6000, 8200)],
    cpuMicrosPerRequest: cpu.map(([m, l, h]) => spread(m, l, h)),
    startupRatio: spread(0.65, 0.42, 0.7),
    cpuRatio: spread(...cpuRatio),
  },
});

describe('the compiled build section', () => {
  it('says when no round showed the expected saving, and that the difference is within the spread', () => {
    const text = buildSection(results([[276.2, 243.6, 308.9], [267.3, 218.8, 294.1]], [1.11, 1, 1.25]));
    expect(text).toContain('The expected saving per request did not show');
    expect(text).toContain("the difference is within the rounds' spread");
    expect(text).toContain('ready sooner in every round');
  });

  it('says when every round saved, and when the medians stand apart', () => {
    const text = buildSection(results([[200, 190, 210], [260, 250, 270]], [0.77, 0.7, 0.8]));
    expect(text).toContain('used less CPU per request than the sources\' in every round');
    expect(text).toContain("lie outside each other's range");
  });
});
