/** Reading freshness lags from answer times and a polled, growing count of stored exchanges. */

/** The stored count read at one moment (ms on the same clock as the answers), counted from the round's start. */
export interface CountSample {
  at: number;
  count: number;
}

/** The value at quantile `q` of ascending `sorted` (nearest rank), NaN when empty. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/**
 * The lag of each answer: the first sample at which the count had reached its rank, minus the
 * answer's time (never below 0: a count read before the answer reached the client means the
 * exchange was already stored). Answers the count never reached are `unseen`, with an infinite lag.
 */
export function lagsOf(answers: readonly number[], samples: readonly CountSample[]): { lags: number[]; unseen: number } {
  const lags: number[] = [];
  let s = 0;
  let unseen = 0;
  answers.forEach((answeredAt, i) => {
    while (s < samples.length && samples[s]!.count < i + 1) s++;
    if (s === samples.length) {
      unseen++;
      lags.push(Infinity);
    } else lags.push(Math.max(0, samples[s]!.at - answeredAt));
  });
  return { lags, unseen };
}
