import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { halfFromEnvoyTrace, type EnvoyTapSide, type IngestHalfLine } from '@shadowdiff/recordings';

/** A tap file read as a half, or why it could not be. */
export type TapFile = { file: string; half: IngestHalfLine } | { file: string; problem: string };

/**
 * A file that does not parse yet may still be being written: it is read again on later looks
 * until it has not changed for this long, and only then refused.
 */
const SETTLE_MS = 2000;

/**
 * The files Envoy's file-per-tap sink writes into a folder (`<prefix>_<id>.json`), each read once,
 * oldest first, as new ones appear. Only JSON traces can be read: a tap writing protobuf
 * (`.pb`, `.pb_text`) is reported once.
 */
export function createEnvoyTapDir(dir: string, options: { side: EnvoyTapSide; run?: string }) {
  const seen = new Set<string>();
  let reportedOthers = false;
  return {
    /** The files that appeared since the last look. */
    async next(): Promise<{ files: TapFile[]; notJson: string[] }> {
      const names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && !seen.has(e.name)).map((e) => e.name);
      const others = names.filter((n) => !n.endsWith('.json') && (n.endsWith('.pb') || n.endsWith('.pb_text')));
      const notJson = reportedOthers || others.length === 0 ? [] : others;
      if (others.length > 0) reportedOthers = true;
      const found = await Promise.all(
        names.filter((n) => n.endsWith('.json')).map(async (name) => {
          const info = await stat(join(dir, name)).catch(() => undefined);
          return info ? { name, mtimeMs: info.mtimeMs } : undefined;
        }),
      );
      const files: TapFile[] = [];
      const now = Date.now();
      for (const { name, mtimeMs } of found.filter((f) => f !== undefined).sort((a, b) => a.mtimeMs - b.mtimeMs || a.name.localeCompare(b.name))) {
        const file = join(dir, name);
        const text = await readFile(file, 'utf8').catch(() => undefined);
        if (text === undefined) continue;
        try {
          // The trace holds no time of its own: the file's is when Envoy wrote it, at the end of the exchange.
          files.push({ file, half: halfFromEnvoyTrace(text, { side: options.side, capturedAt: new Date(mtimeMs).toISOString(), ...(options.run ? { run: options.run } : {}) }) });
        } catch (error) {
          if (now - mtimeMs < SETTLE_MS && /not valid JSON/.test((error as Error).message)) continue;
          files.push({ file, problem: (error as Error).message });
        }
        seen.add(name);
      }
      return { files, notJson };
    },
  };
}
