-- When a prune last removed exchanges of a run (its counters still count them): readers that
-- keep what they worked out from a run's rows know those rows changed.
ALTER TABLE runs ADD COLUMN pruned_at timestamptz;
