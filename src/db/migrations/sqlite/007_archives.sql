-- Archives around the person: who holds them (holders), the files themselves (archive_records)
-- with their contents list (archive_items, 卷内目录) and page images (archive_item_pages), the
-- person's insurance life (employment_periods), and the service points citizens visit
-- (branches, 网点). Codes and labels of the CHECK lists are in src/archives/rules.hpp.

-- Organisations that keep archives: this centre, district bureaus, employers, talent centres.
CREATE TABLE holders (
    id TEXT NOT NULL PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('centre', 'district_bureau', 'employer', 'talent_centre', 'other')),
    address TEXT NOT NULL,
    phone TEXT NOT NULL,
    opening_hours TEXT NOT NULL,
    region_code TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL
);
CREATE INDEX holders_region ON holders (region_code);

-- Service points: halls, bank branches (kiosks), communities. services: comma-separated codes.
CREATE TABLE branches (
    id TEXT NOT NULL PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,                 -- district code, '-', sequence: 220102-001
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('hall', 'bank', 'community')),
    address TEXT NOT NULL,
    phone TEXT NOT NULL,
    opening_hours TEXT NOT NULL,
    services TEXT NOT NULL,
    region_code TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL
);
CREATE INDEX branches_region ON branches (region_code);

-- One archive file (卷) of a person. shelf_location: 库房-排-架-层-盒. retention_years NULL is
-- permanent; retention_ends is the last day kept, counted from 1 January after filed_year.
CREATE TABLE archive_records (
    id TEXT NOT NULL PRIMARY KEY,
    archival_code TEXT NOT NULL UNIQUE,        -- 档号
    person_id TEXT NOT NULL REFERENCES persons (id),
    kind TEXT NOT NULL CHECK (kind IN ('social_insurance', 'personnel', 'retirement', 'other')),
    holder_id TEXT NOT NULL REFERENCES holders (id),
    shelf_location TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('in_store', 'lent', 'transferring', 'transferred', 'destroyed')),
    filed_year INTEGER NOT NULL,
    retention_years INTEGER CHECK (retention_years IS NULL OR retention_years IN (10, 30, 50, 100)),
    retention_ends TEXT,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL
);
CREATE INDEX archive_records_person ON archive_records (person_id);
CREATE INDEX archive_records_holder ON archive_records (holder_id);

-- The contents list of a record (卷内目录).
CREATE TABLE archive_items (
    record_id TEXT NOT NULL REFERENCES archive_records (id),
    seq INTEGER NOT NULL,
    title TEXT NOT NULL,
    doc_type TEXT NOT NULL,
    doc_date TEXT NOT NULL,                    -- YYYY-MM-DD, YYYY-MM or YYYY
    page_count INTEGER NOT NULL CHECK (page_count >= 0),
    PRIMARY KEY (record_id, seq)
) WITHOUT ROWID;

-- Page images of an item, by the SM3 hash that names them in the blob store.
CREATE TABLE archive_item_pages (
    record_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    page_no INTEGER NOT NULL,
    blob_sm3 TEXT NOT NULL,
    PRIMARY KEY (record_id, seq, page_no),
    FOREIGN KEY (record_id, seq) REFERENCES archive_items (record_id, seq)
) WITHOUT ROWID;

-- The person's insurance life: who employed them, when. to_date NULL: still employed.
CREATE TABLE employment_periods (
    person_id TEXT NOT NULL REFERENCES persons (id),
    seq INTEGER NOT NULL,
    employer_name TEXT NOT NULL,
    employer_credit_code TEXT,
    from_date TEXT NOT NULL,
    to_date TEXT,
    PRIMARY KEY (person_id, seq)
) WITHOUT ROWID;

-- Staff find a person by name and birth date.
CREATE INDEX persons_name_birth ON persons (name, birth_date);
