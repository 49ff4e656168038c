import type { CliProcess } from './cli-process.ts';
import { removeStateFolder } from './process-tree.ts';
import type { TestDatabase } from './test-database.ts';
import type { TestUpstream } from './upstream.ts';

/** What a test file started, any of it possibly never started (a failed `beforeAll`). */
export interface Started {
  /** shadowdiff processes: stopped first, while what they use is still there. */
  processes: (CliProcess | undefined)[];
  upstreams?: (TestUpstream | undefined)[];
  /** Anything else with a `stop()`, e.g. a local redis-server. */
  services?: ({ stop(): Promise<unknown> } | undefined)[];
  db?: TestDatabase | undefined;
  dirs?: string[];
}

/** Stops everything a test file started, in order, and resolves with the processes' exit codes. */
export async function stopStarted(started: Started): Promise<(number | null | undefined)[]> {
  const codes = await Promise.all(started.processes.map((p) => p?.stop()));
  await Promise.all((started.upstreams ?? []).map((u) => u?.close()));
  for (const service of started.services ?? []) await service?.stop();
  await started.db?.drop();
  for (const dir of started.dirs ?? []) removeStateFolder(dir);
  return codes;
}
