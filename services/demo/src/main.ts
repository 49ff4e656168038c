// Starts the demo upstreams for manual use: npx tsx services/demo/src/main.ts [host]
import { describeDemoDifferences, startDemoUpstreams } from './index.ts';

const upstreams = await startDemoUpstreams({ host: process.argv[2] ?? '127.0.0.1' });
process.stdout.write(
  [
    `primary   (${upstreams.primary.version})  ${upstreams.primary.url}`,
    `candidate (${upstreams.candidate.version})  ${upstreams.candidate.url}`,
    `secondary (${upstreams.secondary.version})  ${upstreams.secondary.url}`,
    'deliberate differences:',
    ...describeDemoDifferences().map((line) => `  - ${line}`),
    'Ctrl-C to stop',
    '',
  ].join('\n'),
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    upstreams.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`failed to close the demo upstreams: ${String(err)}\n`);
        process.exit(1);
      },
    );
  });
}
