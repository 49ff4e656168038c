-- Where an exchange's secondary answer came from: a secondary production instance, or a control
-- copy (the same request sent to the primary a second time, from the shadow side). Both serve as
-- the noise control; the latency basis says which one the candidate was timed against.
ALTER TABLE exchanges ADD COLUMN secondary_kind text CHECK (secondary_kind IN ('secondary', 'control'));
