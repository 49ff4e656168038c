/** Number formats shared by the markdown and HTML reports. */
export const percent = (value: number | null): string => (value === null ? '–' : `${(100 * value).toFixed(1)}%`);
export const millis = (value: number | null): string => (value === null ? '–' : `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`);
export const times = (value: number | null): string => (value === null ? '–' : `×${value.toFixed(2)}`);

/** A value from a response, short enough for a table cell. */
export function shortValue(value: unknown, max = 80): string {
  const text = value === undefined ? '(absent)' : JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
