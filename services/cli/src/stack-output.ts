/** What `up` and `replay` print about the stack they started, and how they wait for its results. */
import type { ShadowdiffConfig } from '@shadowdiff/config';
import type { Stack } from './stack.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until `expected` exchanges are stored or, with no expectation, until the count stops growing. */
export async function waitForStored(count: () => Promise<number>, expected: number | undefined, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let stored = await count();
  let steadySince = Date.now();
  while (Date.now() < deadline && (expected === undefined ? Date.now() - steadySince < 3000 : stored < expected)) {
    await sleep(200);
    const now = await count();
    if (now !== stored) steadySince = Date.now();
    stored = now;
  }
  return stored;
}

export function printAddresses(stack: Stack, config: ShadowdiffConfig): void {
  const out = process.stdout;
  const api = stack.api.url;
  out.write(`\nshadowdiff is up (run "${config.run}")\n`);
  if (stack.tap) {
    out.write(`  tap        ${stack.tap.url}   → primary ${config.upstreams.primary}, candidate ${config.upstreams.candidate}`);
    out.write(config.upstreams.secondary ? `, secondary ${config.upstreams.secondary}\n` : '\n');
  }
  out.write(`  dashboard  ${api}/\n`);
  out.write(`  api        ${api}/api/v1/runs   (OpenAPI: ${api}/api/v1/openapi.json)\n`);
  out.write(`  health     ${api}/healthz, ${api}/readyz (with the queue's backlog), ${stack.worker.adminUrl}/readyz (worker)\n`);
  out.write(`  metrics    ${stack.tap?.adminUrl ? `${stack.tap.adminUrl}/metrics (tap), ` : ''}${api}/metrics (api), ${stack.worker.adminUrl}/metrics (worker), ${stack.admin.url}/metrics (restarts)\n`);
  out.write(`  postgres   ${stack.infra.embedded.postgres ? `embedded, data in ${config.stateDir}/postgres` : 'DATABASE_URL'}\n`);
  out.write(`  redis      ${stack.infra.embedded.redis ? `local redis-server, data in ${config.stateDir}/redis` : 'REDIS_URL'}\n`);
}
