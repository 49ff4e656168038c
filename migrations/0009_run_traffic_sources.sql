-- Where a run's traffic came from: the inline tap, mesh recorders, replays of recordings
-- (named), ingested exchanges. Added to as exchanges arrive; never shrinks.
ALTER TABLE runs ADD COLUMN traffic_sources text[] NOT NULL DEFAULT '{}';
