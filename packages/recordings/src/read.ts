/** Reads a recording of any supported format, told apart by its content, gzipped or not. */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { looksLikeExport, readExportLines } from './export-lines.ts';
import { looksLikeGoReplay, readGoReplay } from './goreplay.ts';
import { looksLikeHar, readHar } from './har.ts';
import { RecordingError, type RecordedExchange, type RecordingFormat } from './recorded.ts';

export interface Recording {
  format: RecordingFormat;
  exchanges: RecordedExchange[];
  /** SHA-256 of the file's bytes: names the recording, whatever it is called or where it lies. */
  id: string;
}

const isGzip = (bytes: Buffer): boolean => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

/** Reads a recording from its bytes; `name` is only for messages. */
export function parseRecording(bytes: Buffer, name = 'the recording'): Recording {
  const id = createHash('sha256').update(bytes).digest('hex');
  return { id, ...parseContent(bytes, name) };
}

function parseContent(bytes: Buffer, name: string): Omit<Recording, 'id'> {
  if (isGzip(bytes)) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new RecordingError(`${name}: a damaged gzip file (${(error as Error).message})`);
    }
  }
  if (bytes.toString('utf8').trim() === '') throw new RecordingError(`${name}: the file is empty`);
  const head = bytes.subarray(0, 4096);
  try {
    if (looksLikeGoReplay(head)) return { format: 'goreplay', exchanges: readGoReplay(bytes) };
    const text = bytes.toString('utf8');
    if (looksLikeHar(text.slice(0, 4096))) return { format: 'har', exchanges: readHar(text) };
    if (looksLikeExport(text.slice(0, text.indexOf('\n') < 0 ? undefined : text.indexOf('\n')))) return { format: 'shadowdiff-export', exchanges: readExportLines(text) };
  } catch (error) {
    if (error instanceof RecordingError) throw new RecordingError(`${name}: ${error.message}`);
    throw error;
  }
  throw new RecordingError(`${name}: not a recording shadowdiff reads (a HAR file, a GoReplay file, or shadowdiff's own export)`);
}

export async function readRecording(path: string): Promise<Recording> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new RecordingError(`${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  return parseRecording(bytes, path);
}
