-- Indexes fitted to the reads the API makes now, and none it no longer makes.
--
-- A finding is told from the first few reported candidate differences of each field (in id
-- order). Without an index in that order, a report read every such difference of the run and
-- numbered them, so it grew with traffic; with this one each field is a short index walk.
-- Partial: only the rows that query reads, a fraction of the table.
CREATE INDEX differences_run_route_field_reported ON differences (run_id, route, field, id)
  WHERE side = 'candidate' AND ignored_by IS NULL;

-- A prefix of differences_run_route_field_tx, which serves every read that filtered on it, and
-- the samples now walk the index above.
DROP INDEX differences_run_route_field;

-- No read walks these any more: exchanges are read by id (one exchange), by run in id order
-- (exports, pruning) and by run and route in id order (exports of a route, exchanges_run_route_id_order).
-- Latency percentiles come from the sketches of 0011, not from scans of this covering index.
-- Every exchange stored paid for both.
DROP INDEX exchanges_run_route;
DROP INDEX exchanges_run_route_outcome;
