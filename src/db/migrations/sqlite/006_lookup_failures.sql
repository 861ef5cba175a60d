-- Failed look-ups by network address (an ID number that is not registered, or a mobile that
-- does not match): counted so that one address cannot probe ID/mobile pairs without limit.
CREATE TABLE lookup_failures (
    address TEXT NOT NULL,
    kind TEXT NOT NULL,              -- person_not_found | mobile_mismatch
    at_ms BIGINT NOT NULL
);
CREATE INDEX lookup_failures_address ON lookup_failures (address, at_ms);
