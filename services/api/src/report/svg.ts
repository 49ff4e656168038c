/** Inline SVG charts for the HTML report: no scripts, no fonts, no network. */

/** Escapes text for HTML and SVG. */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export interface Bar {
  value: number;
  color: string;
  /** Printed after the bar. */
  text: string;
}

export interface BarGroup {
  label: string;
  bars: Bar[];
}

/**
 * Horizontal grouped bars: one group per label, bars scaled to the largest value (or `max`).
 * Text is drawn with the page's font so it stays readable offline.
 */
export function barChart(groups: readonly BarGroup[], options: { title: string; max?: number; legend?: { label: string; color: string }[] }): string {
  const labelWidth = 230;
  const barArea = 380;
  const barHeight = 14;
  const gap = 10;
  const legendHeight = options.legend ? 22 : 0;
  const max = options.max ?? Math.max(1e-9, ...groups.flatMap((g) => g.bars.map((b) => b.value)));
  let y = legendHeight;
  const parts: string[] = [];
  options.legend?.forEach((item, i) => {
    parts.push(`<rect x="${labelWidth + i * 120}" y="4" width="12" height="12" fill="${item.color}"/>`);
    parts.push(`<text x="${labelWidth + i * 120 + 16}" y="14">${esc(item.label)}</text>`);
  });
  for (const group of groups) {
    const groupHeight = group.bars.length * barHeight;
    parts.push(`<text x="${labelWidth - 8}" y="${y + groupHeight / 2 + 4}" text-anchor="end">${esc(clip(group.label, 34))}</text>`);
    group.bars.forEach((bar, i) => {
      const width = Math.max(bar.value > 0 ? 1 : 0, (barArea * Math.min(bar.value, max)) / max);
      const top = y + i * barHeight;
      parts.push(`<rect x="${labelWidth}" y="${top + 1}" width="${width.toFixed(1)}" height="${barHeight - 2}" fill="${bar.color}"/>`);
      parts.push(`<text x="${(labelWidth + width + 4).toFixed(1)}" y="${top + barHeight - 3}" class="small">${esc(bar.text)}</text>`);
    });
    y += groupHeight + gap;
  }
  const height = Math.max(y, legendHeight + 20);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${labelWidth + barArea + 110}" height="${height}" viewBox="0 0 ${labelWidth + barArea + 110} ${height}">` +
    `<title>${esc(options.title)}</title>${parts.join('')}</svg>`
  );
}

/** A grid of counts shaded by size: rows × columns, the diagonal in a calm colour. */
export function heatmap(rows: readonly string[], columns: readonly string[], count: (row: string, column: string) => number, title: string): string {
  const cell = 54;
  const left = 90;
  const top = 40;
  const max = Math.max(1, ...rows.flatMap((r) => columns.map((c) => count(r, c))));
  const parts: string[] = [];
  columns.forEach((c, j) => parts.push(`<text x="${left + j * cell + cell / 2}" y="${top - 10}" text-anchor="middle">${esc(clip(c, 8))}</text>`));
  rows.forEach((r, i) => {
    parts.push(`<text x="${left - 8}" y="${top + i * cell + cell / 2 + 4}" text-anchor="end">${esc(clip(r, 10))}</text>`);
    columns.forEach((c, j) => {
      const n = count(r, c);
      const strength = n === 0 ? 0 : 0.15 + (0.85 * n) / max;
      const hue = r === c ? '46,125,50' : '198,40,40';
      parts.push(
        `<rect x="${left + j * cell}" y="${top + i * cell}" width="${cell - 2}" height="${cell - 2}" fill="rgba(${hue},${strength.toFixed(2)})" stroke="#ccc"/>`,
        `<text x="${left + j * cell + cell / 2}" y="${top + i * cell + cell / 2 + 4}" text-anchor="middle">${n}</text>`,
      );
    });
  });
  const width = left + columns.length * cell + 10;
  const height = top + rows.length * cell + 10;
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><title>${esc(title)}</title>${parts.join('')}</svg>`;
}
