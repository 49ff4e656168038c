/**
 * GoReplay's file format (`--output-file`): payloads separated by a line of three monkeys. Each
 * payload starts with a header line `<type> <id> <timestamp ns> [<latency ns>]` (type 1 is a
 * request, 2 its original response, 3 a replayed response), followed by the raw HTTP message.
 * A request and its response share the id.
 */
import { firstHeaderValue } from '@shadowdiff/core';
import { parseRawRequest, parseRawResponse } from './http-message.ts';
import { RecordingError, type RecordedExchange } from './recorded.ts';

export const GOREPLAY_SEPARATOR = Buffer.from('\n🐵🙈🙉\n');
const HEADER_LINE = /^([123]) ([0-9A-Za-z-]+) (\d+)(?: (-?\d+))?(?: .*)?$/;
/** The start of another payload inside this one: its separator line was lost. */
const RUN_TOGETHER = /(^|\n)[123] [0-9A-Za-z-]+ \d+[^\n]*\n(HTTP\/\d|[A-Z]+ \S+ HTTP\/\d)/;

/** Bytes after a message are only the separator's own newline; anything else is another payload. */
function checkNothingAfter(leftover: Buffer, body: Buffer): void {
  if (leftover.toString('latin1').trim() !== '' || RUN_TOGETHER.test(body.toString('latin1'))) {
    throw new Error('another payload follows without its separator line (🐵🙈🙉)');
  }
}

/** Whether the bytes start like a GoReplay file. */
export function looksLikeGoReplay(head: Buffer): boolean {
  const firstLine = head.subarray(0, Math.max(0, head.indexOf('\n'))).toString('latin1');
  return HEADER_LINE.test(firstLine);
}

/** The payloads of the file, each with its 1-based position; the separator after the last is optional. */
function payloads(file: Buffer): { n: number; bytes: Buffer }[] {
  const out: { n: number; bytes: Buffer }[] = [];
  let at = 0;
  while (at < file.length) {
    const end = file.indexOf(GOREPLAY_SEPARATOR, at);
    const bytes = file.subarray(at, end < 0 ? file.length : end);
    at = end < 0 ? file.length : end + GOREPLAY_SEPARATOR.length;
    // A file ends with a separator and perhaps a newline; nothing after it is a payload.
    if (bytes.toString('latin1').trim() !== '') out.push({ n: out.length + 1, bytes });
  }
  return out;
}

export function readGoReplay(file: Buffer): RecordedExchange[] {
  const requests = new Map<string, RecordedExchange>();
  const order: RecordedExchange[] = [];
  for (const { n, bytes } of payloads(file)) {
    const newline = bytes.indexOf('\n');
    const header = HEADER_LINE.exec(bytes.subarray(0, newline < 0 ? bytes.length : newline).toString('latin1'));
    const where = `record ${n}`;
    if (!header || newline < 0) throw new RecordingError(`${where}: not a GoReplay payload header (expected "<1|2|3> <id> <timestamp>"); is a separator line missing before it?`);
    const [, type, id, timestamp, latency] = header;
    const message = bytes.subarray(newline + 1);
    try {
      if (type === '1') {
        const raw = parseRawRequest(message);
        checkNothingAfter(raw.leftover, raw.body);
        const host = firstHeaderValue(raw.headers, 'host');
        const exchange: RecordedExchange = {
          origin: `${where} (id ${id!.slice(0, 12)})`,
          startedAtMs: Number(BigInt(timestamp!) / 1_000_000n),
          request: { method: raw.method, url: raw.url, headers: raw.headers, body: raw.body, ...(host ? { host } : {}) },
        };
        if (requests.has(id!)) throw new Error(`a second request with id ${id}`);
        requests.set(id!, exchange);
        order.push(exchange);
      } else if (type === '2') {
        const exchange = requests.get(id!);
        // A response whose request was not recorded (the capture started mid-exchange) is skipped.
        if (!exchange) continue;
        const raw = parseRawResponse(message, exchange.request.method);
        checkNothingAfter(raw.leftover, raw.body);
        const latencyMs = latency !== undefined && Number(latency) >= 0 ? Number(latency) / 1e6 : undefined;
        exchange.response = { status: raw.status, headers: raw.headers, body: raw.body, decoded: false, ...(latencyMs !== undefined ? { latencyMs } : {}) };
      }
      // Type 3, a response replayed by GoReplay itself, is not part of what was recorded.
    } catch (error) {
      if (error instanceof RecordingError) throw error;
      throw new RecordingError(`${where}: ${(error as Error).message}`);
    }
  }
  return order.sort((a, b) => a.startedAtMs - b.startedAtMs);
}
