-- Certificates (certificates/): 查档证明 with their signed codes, the serial counters behind
-- their numbers, and every online verification. A number is unique by constraint, and serials
-- come from a counter row updated inside the issuing transaction, so that any number of server
-- nodes issue without collision. Times are Unix milliseconds; dates YYYY-MM-DD Asia/Shanghai.

-- The last serial used per number prefix (year + district, e.g. '2026220102').
CREATE TABLE certificate_counters (
    prefix TEXT NOT NULL PRIMARY KEY,
    last_serial BIGINT NOT NULL CHECK (last_serial BETWEEN 0 AND 999999)
);

CREATE TABLE certificates (
    id TEXT NOT NULL PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    person_id TEXT NOT NULL REFERENCES persons (id),
    kind TEXT NOT NULL CHECK (kind IN ('location', 'items')),
    purpose TEXT NOT NULL,
    content_json TEXT NOT NULL,             -- the certified content, canonical JSON (signed through its hash)
    branch_code TEXT NOT NULL,              -- the issuing branch ('' = the online hall)
    channel TEXT NOT NULL,                  -- window, web, mobile, kiosk
    issued_by TEXT,                         -- staff user id; NULL when the citizen issued it
    issued_at_ms BIGINT NOT NULL,
    issued_on TEXT NOT NULL,
    valid_until TEXT NOT NULL,              -- the last valid day
    key_id TEXT NOT NULL,
    code TEXT NOT NULL,                     -- base32 of payload ‖ signature: what the QR carries
    pdf_sm3 TEXT NOT NULL,                  -- the issued PDF in the blob store
    revoked_at_ms BIGINT,
    revoked_by TEXT,
    revoke_reason TEXT,
    check_count INTEGER NOT NULL DEFAULT 0,
    last_checked_at_ms BIGINT,
    CHECK ((revoked_at_ms IS NULL) = (revoke_reason IS NULL))
);
CREATE INDEX certificates_person ON certificates (person_id, issued_at_ms);
CREATE INDEX certificates_pdf ON certificates (pdf_sm3);

-- One row per online verification of an issued certificate (the holder sees them).
CREATE TABLE certificate_checks (
    id TEXT NOT NULL PRIMARY KEY,
    certificate_id TEXT NOT NULL REFERENCES certificates (id),
    checked_at_ms BIGINT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('qr', 'number', 'pdf', 'photo')),
    result TEXT NOT NULL
);
CREATE INDEX certificate_checks_certificate ON certificate_checks (certificate_id, checked_at_ms);
