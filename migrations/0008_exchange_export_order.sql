-- Exports and replays of a stored run page through its exchanges in capture-id (time) order.
CREATE INDEX exchanges_run_id_order ON exchanges (run_id, id);
