-- Open311 GeoReport v2 (module open311): what an Open311 client sent beyond the case itself,
-- the tokens of batch submissions, and the ids clients gave their updates (so a retry is one update).

-- One row per case created through Open311: the media URL (never downloaded), the contact
-- details the case has no column for (the email encrypted like every personal datum), the
-- client's device and account ids.
CREATE TABLE open311_requests (
  event_id bigint PRIMARY KEY REFERENCES events (id),
  key_id integer NOT NULL,
  media_url text,
  email_enc text,
  device_id text,
  account_id text,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Batch submissions (`batch=true`): the token returned instead of the id, resolved by GET tokens/{token}.
CREATE TABLE open311_tokens (
  token text PRIMARY KEY,
  event_id bigint NOT NULL UNIQUE REFERENCES events (id),
  key_id integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- POST servicerequestupdates: the client's own update_id → the timeline row it became.
CREATE TABLE open311_updates (
  key_id integer NOT NULL,
  client_update_id text NOT NULL,
  event_id bigint NOT NULL REFERENCES events (id),
  transition_id bigint NOT NULL REFERENCES event_transitions (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (key_id, client_update_id)
);
