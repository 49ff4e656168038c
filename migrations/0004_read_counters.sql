-- Counters that let the API answer from a handful of rows instead of scanning every difference
-- of a run: field details (kinds, volatile values, rules, examples) and difference signatures.

-- Per (run, route, field, side), maintained with the counts: kinds reported, exchanges in which
-- every reported value looked volatile, rules that hid differences, a few example exchanges.
ALTER TABLE field_stats
  ADD COLUMN kinds text[] NOT NULL DEFAULT '{}',
  ADD COLUMN suspected_exchanges bigint NOT NULL DEFAULT 0,
  ADD COLUMN ignored_by text[] NOT NULL DEFAULT '{}',
  ADD COLUMN examples uuid[] NOT NULL DEFAULT '{}';

-- Exchanges counted by the set of candidate fields that differed in them (not hidden by a rule
-- when diffed). Under any read-time classification, a route's exchanges with a real difference
-- are the sum over the signatures holding at least one field that still counts as real.
CREATE TABLE difference_signatures (
  run_id    uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  route     text NOT NULL,
  signature text NOT NULL,          -- md5 of the sorted field list
  fields    text[] NOT NULL,
  exchanges bigint NOT NULL,
  PRIMARY KEY (run_id, route, signature)
);

-- What is already stored.
WITH per_exchange AS (
  SELECT run_id, route, exchange_id, array_agg(DISTINCT field ORDER BY field) AS fields
  FROM differences
  WHERE side = 'candidate' AND ignored_by IS NULL
  GROUP BY run_id, route, exchange_id
)
INSERT INTO difference_signatures (run_id, route, signature, fields, exchanges)
SELECT run_id, route, md5(array_to_string(fields, E'\n')), fields, count(*)
FROM per_exchange GROUP BY run_id, route, fields;

WITH per_field AS (
  SELECT run_id, route, field, side,
         array_agg(DISTINCT kind) FILTER (WHERE ignored_by IS NULL) AS kinds,
         array_agg(DISTINCT ignored_by) FILTER (WHERE ignored_by IS NOT NULL) AS ignored_by,
         (array_agg(DISTINCT exchange_id) FILTER (WHERE ignored_by IS NULL))[1:5] AS examples
  FROM differences GROUP BY run_id, route, field, side
), volatile AS (
  SELECT run_id, route, field, side, count(*) AS n FROM (
    SELECT run_id, route, field, side, exchange_id FROM differences WHERE ignored_by IS NULL
    GROUP BY run_id, route, field, side, exchange_id HAVING bool_and(suspected_noise)
  ) e GROUP BY run_id, route, field, side
)
UPDATE field_stats s SET
  kinds = coalesce(p.kinds, '{}'),
  ignored_by = coalesce(p.ignored_by, '{}'),
  examples = coalesce(p.examples, '{}'),
  suspected_exchanges = coalesce(v.n, 0)
FROM per_field p LEFT JOIN volatile v USING (run_id, route, field, side)
WHERE s.run_id = p.run_id AND s.route = p.route AND s.field = p.field AND s.side = p.side;
