-- Exchanges and their differences partitioned by the day of their capture id, so retention drops
-- whole days (a DROP TABLE) instead of deleting rows. The day is a pure function of the capture
-- id, so a capture stored twice meets its first copy in the same partition and the primary key
-- (id, part_day) still refuses it. Runs gain a `kept` mark: a kept run (a baseline) is never pruned.
-- Why this key and how pruning works: migrations/README.md.

-- The UTC day of a UUIDv7's 48-bit Unix-millisecond prefix.
CREATE FUNCTION shadowdiff_capture_day(capture_id uuid) RETURNS date
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN date '1970-01-01' + (('x' || left(replace(capture_id::text, '-', ''), 12))::bit(48)::bigint / 86400000)::integer;

ALTER TABLE runs ADD COLUMN kept boolean NOT NULL DEFAULT false;

ALTER TABLE differences RENAME TO differences_unpartitioned;
ALTER TABLE exchanges RENAME TO exchanges_unpartitioned;

CREATE TABLE exchanges (
  id                 uuid NOT NULL,               -- the capture id: the idempotency key, with part_day
  part_day           date NOT NULL,               -- shadowdiff_capture_day(id)
  run_id             uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  captured_at        timestamptz NOT NULL,
  stored_at          timestamptz NOT NULL DEFAULT now(),
  method             text NOT NULL,
  url                text NOT NULL,
  route              text NOT NULL,
  primary_status     integer,
  candidate_status   integer,
  secondary_status   integer,
  candidate_outcome  text NOT NULL,
  secondary_outcome  text,
  primary_latency_ms   real NOT NULL,
  candidate_latency_ms real NOT NULL,
  secondary_latency_ms real,
  difference_count   integer NOT NULL,
  ignored_count      integer NOT NULL DEFAULT 0,
  request            jsonb,
  primary_response   jsonb,
  candidate_response jsonb,
  secondary_response jsonb,
  secondary_kind     text CHECK (secondary_kind IN ('secondary', 'control'))
) PARTITION BY RANGE (part_day);

-- Identity columns and partitions attached later do not mix well; a plain sequence does.
CREATE SEQUENCE difference_ids;

-- No foreign key to exchanges: dropping a day of exchanges would have to check every difference
-- that could point into it. Both tables drop the same days together instead.
CREATE TABLE differences (
  id            bigint NOT NULL DEFAULT nextval('difference_ids'),
  exchange_id   uuid NOT NULL,
  part_day      date NOT NULL,                     -- its exchange's part_day
  run_id        uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  route         text NOT NULL,
  side          text NOT NULL CHECK (side IN ('candidate', 'secondary')),
  field         text NOT NULL,
  path          text NOT NULL,
  kind          text NOT NULL,
  primary_value jsonb,
  other_value   jsonb,
  suspected_noise boolean NOT NULL DEFAULT false,
  ignored_by    text,
  captured_at   timestamptz NOT NULL,
  tx            xid8 NOT NULL DEFAULT pg_current_xact_id()
) PARTITION BY RANGE (part_day);
ALTER SEQUENCE difference_ids OWNED BY differences.id;

-- Rows whose day has no partition: ids whose time bits are a hash (ingested exchanges), days
-- already pruned, days before the partitions made ahead. Writes never fail for a missing day.
CREATE TABLE exchanges_default PARTITION OF exchanges DEFAULT;
CREATE TABLE differences_default PARTITION OF differences DEFAULT;

-- Adds the partitions of one day to both tables, moving in any rows of that day the default
-- partitions took meanwhile. False when the day has its partitions already.
CREATE FUNCTION shadowdiff_add_day_partitions(day date) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  suffix text := to_char(day, 'YYYYMMDD');
BEGIN
  IF to_regclass('exchanges_p' || suffix) IS NOT NULL THEN
    RETURN false;
  END IF;
  EXECUTE format('CREATE TABLE %I (LIKE exchanges INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', 'exchanges_p' || suffix);
  EXECUTE format('CREATE TABLE %I (LIKE differences INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', 'differences_p' || suffix);
  EXECUTE format('WITH m AS (DELETE FROM exchanges_default WHERE part_day = $1 RETURNING *) INSERT INTO %I SELECT * FROM m',
                 'exchanges_p' || suffix) USING day;
  EXECUTE format('WITH m AS (DELETE FROM differences_default WHERE part_day = $1 RETURNING *) INSERT INTO %I SELECT * FROM m',
                 'differences_p' || suffix) USING day;
  EXECUTE format('ALTER TABLE exchanges ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', 'exchanges_p' || suffix, day, day + 1);
  EXECUTE format('ALTER TABLE differences ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', 'differences_p' || suffix, day, day + 1);
  RETURN true;
END $$;

-- A day partition for every day stored so far, back to the day before the first run (a capture
-- cannot be older than its run; earlier days are hash-dated ids and stay in the default), and
-- for the next week.
-- Days are UTC days, whatever the session's time zone.
SELECT shadowdiff_add_day_partitions(day)
FROM (
  SELECT DISTINCT shadowdiff_capture_day(id) AS day FROM exchanges_unpartitioned
  UNION SELECT (now() AT TIME ZONE 'UTC')::date + ahead FROM generate_series(0, 7) ahead
) days
WHERE day >= coalesce((SELECT (min(created_at) AT TIME ZONE 'UTC')::date - 1 FROM runs), (now() AT TIME ZONE 'UTC')::date)
  AND day <= (now() AT TIME ZONE 'UTC')::date + 7
ORDER BY day;

INSERT INTO exchanges (id, part_day, run_id, captured_at, stored_at, method, url, route, primary_status, candidate_status,
                       secondary_status, candidate_outcome, secondary_outcome, primary_latency_ms, candidate_latency_ms,
                       secondary_latency_ms, difference_count, ignored_count, request, primary_response,
                       candidate_response, secondary_response, secondary_kind)
SELECT id, shadowdiff_capture_day(id), run_id, captured_at, stored_at, method, url, route, primary_status, candidate_status,
       secondary_status, candidate_outcome, secondary_outcome, primary_latency_ms, candidate_latency_ms,
       secondary_latency_ms, difference_count, ignored_count, request, primary_response,
       candidate_response, secondary_response, secondary_kind
FROM exchanges_unpartitioned;

INSERT INTO differences (id, exchange_id, part_day, run_id, route, side, field, path, kind, primary_value, other_value,
                         suspected_noise, ignored_by, captured_at, tx)
SELECT id, exchange_id, shadowdiff_capture_day(exchange_id), run_id, route, side, field, path, kind, primary_value,
       other_value, suspected_noise, ignored_by, captured_at, tx
FROM differences_unpartitioned;

SELECT setval('difference_ids', coalesce((SELECT max(id) FROM differences_unpartitioned), 0) + 1, false);

DROP TABLE differences_unpartitioned;
DROP TABLE exchanges_unpartitioned;

-- The indexes of 0001-0010, built once the rows are in.
ALTER TABLE exchanges ADD PRIMARY KEY (id, part_day);
CREATE INDEX exchanges_run_captured ON exchanges (run_id, captured_at);
CREATE INDEX exchanges_run_route ON exchanges (run_id, route);
CREATE INDEX exchanges_run_route_outcome ON exchanges (run_id, route)
  INCLUDE (primary_status, candidate_status, candidate_outcome, primary_latency_ms, candidate_latency_ms);
CREATE INDEX exchanges_run_id_order ON exchanges (run_id, id);
CREATE INDEX exchanges_run_route_id_order ON exchanges (run_id, route, id);

ALTER TABLE differences ADD PRIMARY KEY (id, part_day);
CREATE INDEX differences_run_id ON differences (run_id, id);
CREATE INDEX differences_run_route_field ON differences (run_id, route, field);
CREATE INDEX differences_exchange ON differences (exchange_id);
CREATE INDEX differences_run_tx ON differences (run_id, tx, id);
CREATE INDEX differences_run_route_field_tx ON differences (run_id, route, field, tx, id);
