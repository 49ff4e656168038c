-- The field page and filtered difference listings page one field of one route in (tx, id)
-- order; this index serves them without reading the rest of the run.
CREATE INDEX differences_run_route_field_tx ON differences (run_id, route, field, tx, id);
