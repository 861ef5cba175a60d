-- Persons (参保人员). ID and mobile numbers are sealed (SM4-CTR + HMAC-SM3) and found by
-- their HMAC-SM3 blind index; region_code (the first six digits of the ID number) is the
-- scope a staff grant must cover to see the record. Times are Unix milliseconds.
CREATE TABLE persons (
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    id_number_sealed BYTEA NOT NULL,
    id_number_index TEXT NOT NULL UNIQUE,
    mobile_sealed BYTEA NOT NULL,
    mobile_index TEXT NOT NULL,
    gender TEXT NOT NULL CHECK (gender IN ('male', 'female')),
    birth_date TEXT NOT NULL,
    region_code TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL
);
CREATE INDEX persons_mobile_index ON persons (mobile_index);
CREATE INDEX persons_region ON persons (region_code);
