-- Which transaction last changed each latency bucket, so that a reader that kept a run's
-- sketches as of a snapshot (the API, between reads) reads only the buckets changed since then
-- (those whose transaction that snapshot did not see) instead of every bucket of the run again:
-- a few dozen rows after a worker's batch where a run has tens of thousands.
--
-- Rows already stored count as changed before any snapshot ('0'); from now on every insert and
-- every update of a bucket stamps its own transaction (the workers' upsert sets it on update too).
ALTER TABLE latency_buckets ADD COLUMN changed_in xid8 NOT NULL DEFAULT '0';
ALTER TABLE latency_buckets ALTER COLUMN changed_in SET DEFAULT pg_current_xact_id();

-- The changes of one run since a snapshot: a range from the snapshot's oldest running transaction.
CREATE INDEX latency_buckets_run_changed ON latency_buckets (run_id, changed_in);
