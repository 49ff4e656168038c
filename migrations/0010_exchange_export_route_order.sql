-- An export of one route of a run pages through that route's exchanges in capture-id order.
CREATE INDEX exchanges_run_route_id_order ON exchanges (run_id, route, id);
