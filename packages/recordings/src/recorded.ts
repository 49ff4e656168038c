import { ShadowdiffError } from '@shadowdiff/core';

/** Header lines in the order they were recorded; a name may repeat. */
export type HeaderPairs = [name: string, value: string][];

export interface RecordedRequest {
  method: string;
  /** Path and query, as sent to the service. */
  url: string;
  /** The Host (authority) it was sent to, when the recording says. */
  host?: string;
  headers: HeaderPairs;
  body: Buffer;
}

export interface RecordedResponse {
  status: number;
  headers: HeaderPairs;
  body: Buffer;
  /**
   * True when `body` is already decoded from the `content-encoding` its headers name (HAR
   * keeps decoded text), so those headers no longer describe its bytes.
   */
  decoded: boolean;
  /** Milliseconds from request to response, when recorded. */
  latencyMs?: number;
  /**
   * Set when `body` is only the start of what was sent (a stored response cut at the size cap,
   * or withheld because it could not be redacted): `size` is what was sent.
   */
  truncated?: { size: number };
}

/** One exchange read from a recording: a request and, when the recording has it, its response. */
export interface RecordedExchange {
  /** Where it sits in the file, for messages: `entry 12`, `record 7 (id 3f2a…)`, `line 3`. */
  origin: string;
  /** When the request was sent (milliseconds since the epoch), for replaying at the original pace. */
  startedAtMs: number;
  request: RecordedRequest;
  response?: RecordedResponse;
  /** The capture id the exchange had, for exchanges exported from shadowdiff itself. */
  captureId?: string;
  /**
   * What the recording lost of the request, so it cannot be sent again as it was: header names
   * whose values were redacted (`header authorization`), `body` when body values were redacted,
   * `body (cut at N bytes)` when only its start was kept.
   */
  missing?: string[];
}

export type RecordingFormat = 'har' | 'goreplay' | 'shadowdiff-export';

/** A recording that cannot be read: the message names the entry, record or line, and why. */
export class RecordingError extends ShadowdiffError {
  constructor(message: string) {
    super('recording_invalid', message, 400);
  }
}
