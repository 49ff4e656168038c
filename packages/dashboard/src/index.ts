import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Folder of the built dashboard (index.html and assets), served by the API at `/`. The same
 * path from the sources (src/) and from the compiled module (dist/).
 */
export const DASHBOARD_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'web');

/** Whether the dashboard has been built (`npm run build -w @shadowdiff/dashboard`). */
export function dashboardBuilt(): boolean {
  return existsSync(join(DASHBOARD_DIR, 'index.html'));
}
