/**
 * Body comparison: decode both sides, parse by content type, compare with the matching comparer.
 */
import { createHash } from 'node:crypto';
import { charsetOf, type CapturedResponse } from '@shadowdiff/core';
import { type ArrayRule, compareJson, jsonEqual } from './compare-json.ts';
import { compareText } from './compare-text.ts';
import { decodeBody, type ParsedBody, parseDecoded } from './parse-body.ts';
import type { RawDifference } from './raw-difference.ts';
import { truncateString } from './truncate.ts';

/** What body comparison needs from the options. */
export interface BodyCompareSettings {
  maxDecodedBytes: number;
  maxTextLineDiffs: number;
  arrayRules: readonly ArrayRule[];
}

/** Size and hash of a body: how bodies that are not compared structurally are stored. */
export interface BodySummary {
  mediaType?: string;
  size: number;
  sha256: string;
}

/** How the side of an `invalid_body` difference that failed is stored. */
export interface InvalidBodySummary {
  error: string;
  size: number;
  /** Start of the text that failed to parse. */
  text?: string;
}

const INVALID_TEXT_CHARS = 256;

function summarize(body: ParsedBody, withMediaType = false): BodySummary {
  const sha256 = createHash('sha256').update(body.bytes).digest('hex');
  return withMediaType ? { mediaType: body.mediaType, size: body.bytes.length, sha256 } : { size: body.bytes.length, sha256 };
}

function describe(body: ParsedBody): BodySummary | InvalidBodySummary {
  if (body.format === 'invalid_json') {
    return { error: `invalid JSON: ${body.error}`, size: body.bytes.length, text: truncateString(body.text, INVALID_TEXT_CHARS) };
  }
  if (body.format === 'undecodable') return { error: body.error, size: body.bytes.length };
  return summarize(body);
}

const isInvalid = (b: ParsedBody): boolean => b.format === 'invalid_json' || b.format === 'undecodable';

/**
 * Body differences between the primary and another side, appended to `out`. Nothing is compared
 * when either body was truncated at capture: a partial body would differ for no reason.
 */
export function compareBodies(
  primary: CapturedResponse,
  other: CapturedResponse,
  settings: BodyCompareSettings,
  out: RawDifference[],
): void {
  if (primary.body.truncated || other.body.truncated) return;
  const a = decodeBody(primary, settings.maxDecodedBytes);
  const b = decodeBody(other, settings.maxDecodedBytes);
  const sameType = a.mediaType === b.mediaType && charsetOf(a.contentType) === charsetOf(b.contentType);
  if (sameType && a.decoded.ok && b.decoded.ok && a.decoded.bytes.equals(b.decoded.bytes)) return;
  compareParsed(parseDecoded(a), parseDecoded(b), settings, out);
}

function compareParsed(a: ParsedBody, b: ParsedBody, settings: BodyCompareSettings, out: RawDifference[]): void {
  if (a.format === 'undecodable' && b.format === 'undecodable' && a.bytes.equals(b.bytes)) return;
  // Both fail to parse as JSON: compare what they are, text.
  if (a.format === 'invalid_json' && b.format === 'invalid_json') {
    compareText(a.text, b.text, settings.maxTextLineDiffs, out);
    return;
  }
  if (isInvalid(a) || isInvalid(b)) {
    out.push({ kind: 'invalid_body', field: 'body', path: 'body', primary: describe(a), other: describe(b) });
    return;
  }
  if (a.format !== b.format) {
    // The content-type header difference says why; here only whether the bytes differ.
    if (!a.bytes.equals(b.bytes)) {
      out.push({ kind: 'changed', field: 'body', path: 'body', primary: summarize(a, true), other: summarize(b, true) });
    }
    return;
  }
  if ((a.format === 'json' || a.format === 'form') && (b.format === 'json' || b.format === 'form')) {
    const start = out.length;
    try {
      compareJson(a.value, b.value, ['body'], settings.arrayRules, out);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      // Nesting too deep to walk: say whether the bodies differ, without detail. (Only their
      // bytes are known to differ: the same document written differently is no difference.)
      out.length = start;
      if (!jsonEqual(a.value, b.value)) {
        out.push({ kind: 'changed', field: 'body', path: 'body', primary: summarize(a), other: summarize(b) });
      }
    }
    return;
  }
  if (a.format === 'text' && b.format === 'text') {
    compareText(a.text, b.text, settings.maxTextLineDiffs, out);
    return;
  }
  if (!a.bytes.equals(b.bytes)) {
    out.push({ kind: 'changed', field: 'body', path: 'body', primary: summarize(a), other: summarize(b) });
  }
}
