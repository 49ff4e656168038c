import type { FiledReplay } from '@shadowdiff/tap';

/** What a replay did, in a few lines: sent, filed and stored, errors, and what was skipped and why. */
export function describeReplay(result: FiledReplay, stored: number, from: string, storedWithinMs: number): string {
  const lines = [
    `\nReplayed ${result.sent} requests from ${from} in ${(result.elapsedMs / 1000).toFixed(1)} s (${result.errors} with errors); ${stored} exchanges compared and stored, the last ${(storedWithinMs / 1000).toFixed(1)} s after the first request.`,
  ];
  if (result.alreadyDone > 0) lines.push(`  ${result.alreadyDone} were replayed before this resumed replay and not sent again.`);
  for (const [reason, count] of Object.entries(result.skipped)) {
    const how = reason === 'unsafe method' ? ' (--allow-unsafe replays them)' : reason === 'redacted values' ? ' (--redacted env fills their headers from SHADOWDIFF_REPLAY_HEADER_<NAME>; --redacted send sends them as stored)' : ' (give --primary to call the primary for them)';
    lines.push(`  skipped ${count}: ${reason}${how}`);
  }
  for (const [reason, count] of Object.entries(result.dropped)) lines.push(`  ${count} captures never reached the queue (${reason}).`);
  return `${lines.join('\n')}\n`;
}
