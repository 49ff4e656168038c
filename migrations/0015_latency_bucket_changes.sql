-- Which transaction last changed each latency bucket and each route's counters, so that a reader
-- that kept a run's sketches as of a snapshot (the API, between reads) reads only the buckets
-- changed since then (those whose transaction that snapshot did not see) instead of every bucket
-- of the run again: a few dozen rows after a worker's batch where a run has tens of thousands.
--
-- No index on either: a batch updates hundreds of bucket rows, and an indexed column that every
-- update changes would make each of them write its index entries anew (a third fewer exchanges
-- stored per second). A bucket changes only in a transaction that changes its route's counters
-- too, so the reader finds the routes changed since its snapshot among the run's few route rows,
-- and walks only those routes' buckets, by the primary key.
--
-- Rows already stored count as changed before any snapshot ('0'); from now on every insert and
-- every update stamps its own transaction (the workers' upserts set it on update too).
ALTER TABLE latency_buckets ADD COLUMN changed_in xid8 NOT NULL DEFAULT '0';
ALTER TABLE latency_buckets ALTER COLUMN changed_in SET DEFAULT pg_current_xact_id();
ALTER TABLE route_stats ADD COLUMN changed_in xid8 NOT NULL DEFAULT '0';
ALTER TABLE route_stats ALTER COLUMN changed_in SET DEFAULT pg_current_xact_id();
