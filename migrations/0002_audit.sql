-- Audit log (platform/audit): append-only and hash-chained (DESIGN.md §6, MLPS 2.0 level 3).
-- Rows are written only by recordAudit(), which assigns ids 1, 2, 3, … without gaps under an
-- advisory lock and chains each row to the one before: hash = sha256(prev_hash + '\n' + canonical
-- row). verifyAuditChain() recomputes the chain. Nothing updates or deletes rows: kept ≥ 180 days.
-- actor_id and org_id carry no foreign key on purpose: a row must outlive the account or unit.
CREATE TABLE audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL,
  actor_id integer,
  actor_name text,
  actor_role text,
  org_id integer,
  ip text,
  user_agent text,
  action text NOT NULL,
  target_type text,
  target_id text,
  result text NOT NULL CHECK (result IN ('success', 'failure', 'denied')),
  reason text,
  details jsonb,
  prev_hash text CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$')
);
-- The auditor's filters; lists are newest first by id.
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, id);
-- text_pattern_ops: serves both `action = 'auth.login'` and the prefix filter `action LIKE 'auth.%'`
CREATE INDEX audit_log_action_idx ON audit_log (action text_pattern_ops, id);
CREATE INDEX audit_log_target_idx ON audit_log (target_type, target_id, id);
-- failures and refusals are few and what an auditor looks for first
CREATE INDEX audit_log_unsuccessful_idx ON audit_log (result, id) WHERE result <> 'success';

-- Append-only: UPDATE, DELETE (per row) and TRUNCATE (per statement) raise an error.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
    USING HINT = 'Audit records are never changed or deleted; they are kept for at least 180 days.';
END
$$;
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
