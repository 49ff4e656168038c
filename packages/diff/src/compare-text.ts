/**
 * Line-aware comparison of text bodies: reports which lines differ (`body.line[12]`, 1-based),
 * not the whole body.
 */
import type { RawDifference } from './raw-difference.ts';

/** Beyond this many cells the alignment falls back to comparing lines position by position. */
const MAX_ALIGNMENT_CELLS = 250_000;
const FIELD = 'body.line[*]';

function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  // A final newline ends the last line rather than starting an empty one.
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

type Edit = { op: 'changed'; a: number; b: number } | { op: 'removed'; a: number } | { op: 'added'; b: number };

/** Edits turning a[aStart..aEnd) into b[bStart..bEnd), by longest common subsequence. */
function align(a: readonly string[], b: readonly string[], aStart: number, aEnd: number, bStart: number, bEnd: number): Edit[] {
  const n = aEnd - aStart;
  const m = bEnd - bStart;
  const edits: Edit[] = [];
  if ((n + 1) * (m + 1) > MAX_ALIGNMENT_CELLS) {
    for (let k = 0; k < Math.max(n, m); k++) {
      if (k < n && k < m) {
        if (a[aStart + k] !== b[bStart + k]) edits.push({ op: 'changed', a: aStart + k, b: bStart + k });
      } else if (k < n) edits.push({ op: 'removed', a: aStart + k });
      else edits.push({ op: 'added', b: bStart + k });
    }
    return edits;
  }
  // lcs[i][j] = LCS length of a[aStart+i..aEnd) and b[bStart+j..bEnd).
  const width = m + 1;
  const lcs = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * width + j] =
        a[aStart + i] === b[bStart + j]
          ? lcs[(i + 1) * width + j + 1]! + 1
          : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
    }
  }
  let i = 0;
  let j = 0;
  const removed: number[] = [];
  const added: number[] = [];
  // A run of removals next to a run of additions reads as changed lines.
  const flush = (): void => {
    const paired = Math.min(removed.length, added.length);
    for (let k = 0; k < paired; k++) edits.push({ op: 'changed', a: removed[k]!, b: added[k]! });
    for (let k = paired; k < removed.length; k++) edits.push({ op: 'removed', a: removed[k]! });
    for (let k = paired; k < added.length; k++) edits.push({ op: 'added', b: added[k]! });
    removed.length = 0;
    added.length = 0;
  };
  while (i < n || j < m) {
    if (i < n && j < m && a[aStart + i] === b[bStart + j]) {
      flush();
      i++;
      j++;
    } else if (j < m && (i === n || lcs[i * width + j + 1]! >= lcs[(i + 1) * width + j]!)) {
      added.push(bStart + j++);
    } else {
      removed.push(aStart + i++);
    }
  }
  flush();
  return edits;
}

/**
 * Differences between two texts, at most `maxLines` of them, appended to `out`. A changed or
 * removed line is numbered as on the primary, an added line as on the other side.
 */
export function compareText(primary: string, other: string, maxLines: number, out: RawDifference[]): void {
  if (primary === other) return;
  const a = splitLines(primary);
  const b = splitLines(other);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let aEnd = a.length;
  let bEnd = b.length;
  while (aEnd > start && bEnd > start && a[aEnd - 1] === b[bEnd - 1]) {
    aEnd--;
    bEnd--;
  }
  const edits = align(a, b, start, aEnd, start, bEnd);
  if (edits.length === 0) {
    // Only line endings differ (CRLF vs LF): the text as a whole changed.
    out.push({ kind: 'changed', field: 'body', path: 'body', primary, other });
    return;
  }
  for (const edit of edits.slice(0, maxLines)) {
    if (edit.op === 'changed') {
      out.push({ kind: 'changed', field: FIELD, path: `body.line[${edit.a + 1}]`, primary: a[edit.a], other: b[edit.b] });
    } else if (edit.op === 'removed') {
      out.push({ kind: 'removed', field: FIELD, path: `body.line[${edit.a + 1}]`, primary: a[edit.a] });
    } else {
      out.push({ kind: 'added', field: FIELD, path: `body.line[${edit.b + 1}]`, other: b[edit.b] });
    }
  }
}
