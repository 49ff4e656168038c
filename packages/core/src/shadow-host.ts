/**
 * The `-shadow` mark on a mirrored request's Host, as Envoy and Istio set it on the copies they
 * mirror: the inline tap marks its copies the same way, and a recorder behind a mesh mirror
 * tells the candidate's half by it.
 */
const SUFFIX = '-shadow';
const SUFFIX_BEFORE_PORT = new RegExp(`${SUFFIX}:\\d+$`);

/** `orders:8000` → `orders-shadow:8000`, as Envoy marks a mirrored Host: the suffix goes before the port. */
export function shadowHost(host: string): string {
  const colon = host.lastIndexOf(':');
  const hasPort = colon > 0 && !host.endsWith(']') && /^\d+$/.test(host.slice(colon + 1));
  return hasPort ? `${host.slice(0, colon)}${SUFFIX}${host.slice(colon)}` : `${host}${SUFFIX}`;
}

/** Whether a Host carries the mark, before the port or after it (`orders:8000-shadow`): meshes differ. */
export function isShadowHost(host: string | undefined): boolean {
  if (!host) return false;
  const lower = host.toLowerCase();
  return lower.endsWith(SUFFIX) || SUFFIX_BEFORE_PORT.test(lower);
}
