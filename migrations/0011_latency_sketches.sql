-- Latency sketches and traffic counters kept with the other counters, so the endpoints, the
-- report and the gate read a run's latency percentiles, candidate failures and status matrix
-- from a few rows per route instead of scanning every exchange of the run.

-- Per (run, route): candidate failures by cause, exchanges whose candidate answered (an answer
-- or a timeout), exchanges timed alike (the secondary or control copy answered too), and
-- exchanges answered by a control copy.
ALTER TABLE route_stats
  ADD COLUMN candidate_5xx bigint NOT NULL DEFAULT 0,
  ADD COLUMN candidate_timeouts bigint NOT NULL DEFAULT 0,
  ADD COLUMN candidate_refused bigint NOT NULL DEFAULT 0,
  ADD COLUMN candidate_other_failures bigint NOT NULL DEFAULT 0,
  ADD COLUMN candidate_answered bigint NOT NULL DEFAULT 0,
  ADD COLUMN timed_alike bigint NOT NULL DEFAULT 0,
  ADD COLUMN control_exchanges bigint NOT NULL DEFAULT 0;

-- DDSketch buckets of latencies per (run, route, series): bucket i counts the latencies in
-- (γ^(i−1), γ^i] ms, γ = (1 + α)/(1 − α), α = 0.005 (the relative accuracy of every quantile
-- read from them); latencies of 0 count in bucket −2^31. A run's sketch is the sum of its
-- routes'. Series: primary; candidate (answered or timed out); candidate_alike and
-- reference_alike (exchanges where the secondary or control copy answered too).
CREATE TABLE latency_buckets (
  run_id uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  route  text NOT NULL,
  series text NOT NULL CHECK (series IN ('primary', 'candidate', 'candidate_alike', 'reference_alike')),
  bucket integer NOT NULL,
  count  bigint NOT NULL,
  PRIMARY KEY (run_id, route, series, bucket)
);

-- Primary status × candidate status (or how the candidate failed) over a run.
CREATE TABLE status_pairs (
  run_id         uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  primary_status text NOT NULL,   -- status code, or 'none'
  candidate      text NOT NULL,   -- status code, 'none', or the failure: timeout, refused, reset, error
  count          bigint NOT NULL,
  PRIMARY KEY (run_id, primary_status, candidate)
);

-- What is already stored. Exchanges stored while this runs would miss the new counters.
LOCK TABLE exchanges IN SHARE MODE;

UPDATE route_stats s SET
  candidate_5xx = e.candidate_5xx,
  candidate_timeouts = e.candidate_timeouts,
  candidate_refused = e.candidate_refused,
  candidate_other_failures = e.candidate_other_failures,
  candidate_answered = e.candidate_answered,
  timed_alike = e.timed_alike,
  control_exchanges = e.control_exchanges
FROM (
  SELECT run_id, route,
    count(*) FILTER (WHERE candidate_outcome = 'ok' AND candidate_status >= 500) AS candidate_5xx,
    count(*) FILTER (WHERE candidate_outcome = 'timeout') AS candidate_timeouts,
    count(*) FILTER (WHERE candidate_outcome = 'refused') AS candidate_refused,
    count(*) FILTER (WHERE candidate_outcome NOT IN ('ok', 'timeout', 'refused')) AS candidate_other_failures,
    count(*) FILTER (WHERE candidate_outcome IN ('ok', 'timeout')) AS candidate_answered,
    count(*) FILTER (WHERE candidate_outcome IN ('ok', 'timeout') AND secondary_outcome IN ('ok', 'timeout')) AS timed_alike,
    count(*) FILTER (WHERE secondary_kind = 'control') AS control_exchanges
  FROM exchanges GROUP BY run_id, route
) e
WHERE s.run_id = e.run_id AND s.route = e.route;

-- The bucket index is DDSketch's LogarithmicMapping for α = 0.005, ⌈log2(v) · 69.314140429493193⌉,
-- as the workers compute it (packages/store/src/latency-sketch.ts).
INSERT INTO latency_buckets (run_id, route, series, bucket, count)
SELECT run_id, route, series,
       CASE WHEN v <= 0 THEN -2147483648 ELSE ceil(ln(v::float8) / ln(2::float8) * 69.314140429493193)::integer END AS bucket,
       count(*)
FROM (
  SELECT run_id, route, 'primary' AS series, primary_latency_ms AS v FROM exchanges
  UNION ALL
  SELECT run_id, route, 'candidate', candidate_latency_ms FROM exchanges
  WHERE candidate_outcome IN ('ok', 'timeout')
  UNION ALL
  SELECT run_id, route, 'candidate_alike', candidate_latency_ms FROM exchanges
  WHERE candidate_outcome IN ('ok', 'timeout') AND secondary_outcome IN ('ok', 'timeout')
  UNION ALL
  SELECT run_id, route, 'reference_alike', secondary_latency_ms FROM exchanges
  WHERE candidate_outcome IN ('ok', 'timeout') AND secondary_outcome IN ('ok', 'timeout') AND secondary_latency_ms IS NOT NULL
) latencies
GROUP BY 1, 2, 3, 4;

INSERT INTO status_pairs (run_id, primary_status, candidate, count)
SELECT run_id, coalesce(primary_status::text, 'none'),
       CASE WHEN candidate_outcome = 'ok' THEN coalesce(candidate_status::text, 'none') ELSE candidate_outcome END,
       count(*)
FROM exchanges GROUP BY 1, 2, 3;
