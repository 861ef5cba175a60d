-- The tamper-evident audit log (src/audit/README.md). Each row stores SM3(previous row's hash ‖
-- this row's canonical bytes) as lower-case hex; seq is assigned by the audit writer in chain
-- order (never NULL, so the INTEGER PRIMARY KEY never picks a rowid by itself). Absent values
-- are '' rather than NULL so that the canonical encoding has one spelling for "none".
-- Append-only: the triggers refuse UPDATE and DELETE (the hash chain is the real defence).
CREATE TABLE audit_log (
    seq INTEGER NOT NULL PRIMARY KEY CHECK (seq >= 1),
    id TEXT NOT NULL UNIQUE,
    at_ms BIGINT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    action TEXT NOT NULL,
    subject_person_id TEXT NOT NULL,
    target TEXT NOT NULL,
    purpose TEXT NOT NULL,
    channel TEXT NOT NULL,
    address TEXT NOT NULL,
    request_id TEXT NOT NULL,
    detail_json TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
-- The viewer's filters, each read newest first by seq.
CREATE INDEX audit_log_person ON audit_log (subject_person_id, seq);
CREATE INDEX audit_log_actor ON audit_log (actor_id, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);
CREATE INDEX audit_log_at ON audit_log (at_ms);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused');
END;
