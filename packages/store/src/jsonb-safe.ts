/**
 * A value Postgres `jsonb` accepts: it rejects U+0000 and lone UTF-16 surrogates, both of which
 * valid JSON from traffic can carry (`"\u0000"`, `"\ud800"`). They are replaced by visible
 * escapes and U+FFFD, so one odd value never fails a whole batch.
 */
export function jsonbSafe(value: unknown): unknown {
  if (typeof value === 'string') return safeString(value);
  if (Array.isArray(value)) return value.map(jsonbSafe);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[safeString(key)] = jsonbSafe(inner);
    return out;
  }
  return value;
}

function safeString(text: string): string {
  const withoutNul = text.includes('\u0000') ? text.replaceAll('\u0000', '\\u0000') : text;
  return withoutNul.isWellFormed() ? withoutNul : withoutNul.toWellFormed();
}
