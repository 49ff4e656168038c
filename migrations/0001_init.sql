-- Core schema: runs, exchanges (one row per capture id), differences, incremental counters,
-- and captures that could never be processed.

CREATE TABLE runs (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name            text NOT NULL UNIQUE,
  service         text,
  primary_label   text,
  candidate_label text,
  state           text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'closed')),
  rules           jsonb NOT NULL DEFAULT '[]',
  thresholds      jsonb NOT NULL DEFAULT '{}',
  created_at      timestamptz NOT NULL DEFAULT now(),
  closed_at       timestamptz
);

CREATE TABLE exchanges (
  id                 uuid PRIMARY KEY,            -- the capture id: the idempotency key
  run_id             uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  captured_at        timestamptz NOT NULL,
  stored_at          timestamptz NOT NULL DEFAULT now(),
  method             text NOT NULL,
  url                text NOT NULL,
  route              text NOT NULL,
  primary_status     integer,
  candidate_status   integer,
  secondary_status   integer,
  candidate_outcome  text NOT NULL,
  secondary_outcome  text,
  primary_latency_ms   real NOT NULL,
  candidate_latency_ms real NOT NULL,
  secondary_latency_ms real,
  difference_count   integer NOT NULL,
  ignored_count      integer NOT NULL DEFAULT 0,
  -- Request and responses as captured (redacted, capped); null when not kept for storage economy.
  request            jsonb,
  primary_response   jsonb,
  candidate_response jsonb,
  secondary_response jsonb
);
CREATE INDEX exchanges_run_captured ON exchanges (run_id, captured_at);
CREATE INDEX exchanges_run_route ON exchanges (run_id, route);

CREATE TABLE differences (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  exchange_id   uuid NOT NULL REFERENCES exchanges (id) ON DELETE CASCADE,
  run_id        uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  route         text NOT NULL,
  side          text NOT NULL CHECK (side IN ('candidate', 'secondary')),
  field         text NOT NULL,
  path          text NOT NULL,
  kind          text NOT NULL,
  primary_value jsonb,
  other_value   jsonb,
  suspected_noise boolean NOT NULL DEFAULT false,
  ignored_by    text,                              -- name of the rule that hid it, if any
  captured_at   timestamptz NOT NULL
);
CREATE INDEX differences_run_id ON differences (run_id, id);
CREATE INDEX differences_run_route_field ON differences (run_id, route, field);
CREATE INDEX differences_exchange ON differences (exchange_id);

-- Counters maintained in the same transaction as the exchange rows they count.
CREATE TABLE route_stats (
  run_id             uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  route              text NOT NULL,
  exchanges          bigint NOT NULL DEFAULT 0,
  with_differences   bigint NOT NULL DEFAULT 0,
  status_mismatches  bigint NOT NULL DEFAULT 0,
  candidate_errors   bigint NOT NULL DEFAULT 0,
  secondary_exchanges bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, route)
);

CREATE TABLE field_stats (
  run_id      uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  route       text NOT NULL,
  field       text NOT NULL,
  side        text NOT NULL CHECK (side IN ('candidate', 'secondary')),
  differences bigint NOT NULL DEFAULT 0,           -- exchanges in which this field differed
  ignored     bigint NOT NULL DEFAULT 0,           -- of which hidden by a rule
  PRIMARY KEY (run_id, route, field, side)
);

CREATE TABLE dead_letters (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  capture_id  text,
  run_name    text,
  reason      text NOT NULL,
  payload     jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX dead_letters_capture ON dead_letters (capture_id) WHERE capture_id IS NOT NULL;
