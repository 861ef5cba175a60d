-- Knowledge base (kb/): entries with their versions (draft → review → published, never
-- overwritten), the editable lexicon, and the questions the robot could not answer.
-- kb_state.version is bumped in the same transaction as every change the matcher sees
-- (publish, archive, lexicon), so that each server node notices within seconds and rebuilds.
-- Times are Unix milliseconds.

CREATE TABLE kb_entries (
    id TEXT NOT NULL PRIMARY KEY,                 -- 'kb-' + a number
    status TEXT NOT NULL CHECK (status IN ('draft', 'review', 'published', 'archived')),
    version INTEGER NOT NULL CHECK (version >= 1),  -- the newest version
    published_version INTEGER,                    -- the version answering citizens (NULL = none)
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL,
    published_at_ms BIGINT,
    CHECK (published_version IS NULL OR published_version <= version)
);
CREATE INDEX kb_entries_status ON kb_entries (status);

CREATE TABLE kb_entry_versions (
    entry_id TEXT NOT NULL REFERENCES kb_entries (id),
    version INTEGER NOT NULL CHECK (version >= 1),
    status TEXT NOT NULL CHECK (status IN ('draft', 'review', 'published', 'superseded', 'archived')),
    question TEXT NOT NULL,
    similar_json TEXT NOT NULL,                   -- JSON array of strings
    answer TEXT NOT NULL,
    phone_answer TEXT,
    category TEXT NOT NULL,
    tags_json TEXT NOT NULL,                      -- JSON array of strings
    channels_json TEXT NOT NULL,                  -- JSON array: web, wechat, kiosk, phone
    author TEXT NOT NULL,                         -- username
    approver TEXT,                                -- username of whoever approved or returned it
    return_reason TEXT,
    created_at_ms BIGINT NOT NULL,
    reviewed_at_ms BIGINT,
    PRIMARY KEY (entry_id, version)
);

-- One row: synonym groups and stop phrases as JSON, with an optimistic version.
CREATE TABLE kb_lexicon (
    id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    synonyms_json TEXT NOT NULL,
    stop_phrases_json TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at_ms BIGINT NOT NULL,
    updated_by TEXT
);

-- One row: what the matcher is built from changes → version + 1.
CREATE TABLE kb_state (
    id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO kb_state (id, version) VALUES (1, 0);

CREATE TABLE kb_unanswered (
    id TEXT NOT NULL PRIMARY KEY,
    text TEXT NOT NULL,
    normalised TEXT NOT NULL,
    channel TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (reason IN ('none', 'unsure', 'handoff')),
    session_id TEXT,
    created_at_ms BIGINT NOT NULL,
    resolved_at_ms BIGINT,
    resolved_entry_id TEXT,                       -- NULL with resolved_at_ms set = dismissed
    resolved_by TEXT
);
CREATE INDEX kb_unanswered_open ON kb_unanswered (resolved_at_ms, created_at_ms);
