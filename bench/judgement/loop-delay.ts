/**
 * Reads the tap's shadow-thread event-loop delay (`shadowdiff_tap_shadow_loop_delay_seconds`, the
 * p99 of each 5 s window) while a configuration runs: every shadow timing includes that delay, so
 * it says how finely the run's latencies could be compared.
 */
const WINDOW_MS = 5000;
const P99_LINE = /^shadowdiff_tap_shadow_loop_delay_seconds\{quantile="0\.99"\} (\S+)$/m;

/** Starts reading `metricsUrl` once a window; `stop` returns the p99 read from each window, ms. */
export function sampleLoopDelay(metricsUrl: string): { stop(): number[] } {
  const readings: number[] = [];
  const read = async (): Promise<void> => {
    const match = P99_LINE.exec(await (await fetch(metricsUrl)).text());
    if (match) readings.push(Number(match[1]) * 1000);
  };
  const timer = setInterval(() => void read().catch(() => undefined), WINDOW_MS);
  return {
    stop() {
      clearInterval(timer);
      return readings;
    },
  };
}
