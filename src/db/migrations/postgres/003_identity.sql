-- Accounts that log in with a password: staff (with TOTP) and employer users. Citizens log in
-- with an SMS code and have no account row: their principal is their person.
CREATE TABLE employers (
    id TEXT NOT NULL PRIMARY KEY,
    credit_code TEXT NOT NULL UNIQUE,          -- GB 32100 unified social credit code
    name TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    region_code TEXT NOT NULL,                 -- scope: which district's staff approve it
    created_at_ms BIGINT NOT NULL,
    approved_by TEXT,
    approved_at_ms BIGINT
);

CREATE TABLE users (
    id TEXT NOT NULL PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('staff', 'employer')),
    employer_id TEXT REFERENCES employers (id),
    username TEXT NOT NULL,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,               -- Argon2id encoded string
    totp_secret_sealed BYTEA,                  -- staff: RFC 6238 secret, sealed
    totp_enrolled INTEGER NOT NULL DEFAULT 0,
    totp_last_step BIGINT NOT NULL DEFAULT 0,  -- refuses a code used twice
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until_ms BIGINT NOT NULL DEFAULT 0,
    disabled INTEGER NOT NULL DEFAULT 0,
    password_changed_at_ms BIGINT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    CHECK ((kind = 'employer') = (employer_id IS NOT NULL))
);
-- One user name per staff, one per employer.
CREATE UNIQUE INDEX users_staff_username ON users (username) WHERE kind = 'staff';
CREATE UNIQUE INDEX users_employer_username ON users (employer_id, username) WHERE kind = 'employer';

-- A staff user's roles, each within a scope (city / district / branch code, read as a prefix).
CREATE TABLE grants (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    scope TEXT NOT NULL,
    PRIMARY KEY (user_id, role, scope)
);

-- Sessions: only the SM3 hash of the 256-bit token is stored.
CREATE TABLE sessions (
    token_hash TEXT NOT NULL PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('citizen', 'staff', 'employer')),
    subject_id TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    address TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    last_seen_at_ms BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL,             -- absolute end
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_subject ON sessions (kind, subject_id);

-- SMS one-time codes for citizen log-in: stored as a keyed hash, 5 tries, 5 minutes.
CREATE TABLE otp_codes (
    id TEXT NOT NULL PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES persons (id),
    mobile_index TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    address TEXT NOT NULL,
    business_date TEXT NOT NULL,               -- Asia/Shanghai, for the daily limit
    created_at_ms BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    consumed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX otp_codes_mobile ON otp_codes (mobile_index, created_at_ms);
CREATE INDEX otp_codes_address ON otp_codes (address, created_at_ms);
