import { createHash } from 'node:crypto';
import { exchangeOfExportLine, type Recording } from '@shadowdiff/recordings';
import type { ApiClient } from '../api-client.ts';
import { exportLines } from '../export-pages.ts';

/**
 * A stored run's exchanges as a recording, read through the API in capture order: each request,
 * and the primary's response where it was kept. Named by its capture ids, so `--resume` knows it.
 */
export async function recordingOfRun(client: ApiClient, run: string): Promise<Recording> {
  const hash = createHash('sha256').update(`run:${run}`);
  const exchanges: Recording['exchanges'] = [];
  for await (const line of exportLines(client, run)) {
    hash.update(line.id);
    exchanges.push(exchangeOfExportLine(line, `exchange ${exchanges.length + 1}`));
  }
  if (exchanges.length === 0) throw new Error(`run ${run} has no stored exchange with its request to replay`);
  return { format: 'shadowdiff-export', exchanges, id: hash.digest('hex') };
}
