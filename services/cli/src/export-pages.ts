import type { ExportPage } from '@shadowdiff/api';
import type { ExportLine } from '@shadowdiff/recordings';
import { runPath, type ApiClient } from './api-client.ts';

/** A run's stored exchanges as export lines, page by page through the API, in capture order. */
export async function* exportLines(client: ApiClient, run: string, options: { route?: string; onWithoutRequest?: (count: number) => void } = {}): AsyncGenerator<ExportLine> {
  let after: string | null = null;
  do {
    const query = new URLSearchParams({ limit: '1000', ...(after ? { after } : {}), ...(options.route ? { route: options.route } : {}) });
    const page: ExportPage = await client.json<ExportPage>('GET', runPath(run, `/export?${query}`));
    if (page.withoutRequest > 0) options.onWithoutRequest?.(page.withoutRequest);
    yield* page.items;
    after = page.next;
  } while (after);
}
