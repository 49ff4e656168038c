-- What the API reads: triage marks on fields, gap-free paging of differences, and an index that
-- lets per-route latency percentiles and status matrices read exchanges without the bodies.

-- A person's verdict on one field of one route: noise (nondeterminism) or expected (an intended
-- change). Applied when classifications are read, so it takes effect at once.
CREATE TABLE field_triage (
  run_id     uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  route      text NOT NULL,
  field      text NOT NULL,
  state      text NOT NULL CHECK (state IN ('noise', 'expected')),
  reason     text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, route, field)
);

-- The inserting transaction of each difference. Identity values are handed out before commit, so
-- concurrent writers can commit out of id order; paging by (tx, id) below the oldest running
-- transaction never skips a row that commits later. Existing rows were committed long ago: 0.
ALTER TABLE differences ADD COLUMN tx xid8 NOT NULL DEFAULT '0';
ALTER TABLE differences ALTER COLUMN tx SET DEFAULT pg_current_xact_id();
CREATE INDEX differences_run_tx ON differences (run_id, tx, id);

CREATE INDEX exchanges_run_route_outcome ON exchanges (run_id, route)
  INCLUDE (primary_status, candidate_status, candidate_outcome, primary_latency_ms, candidate_latency_ms);
