-- Small facts about this installation, such as the version of the knowledge base, which
-- server nodes compare to know when to rebuild their in-memory indexes.
CREATE TABLE meta (
    key TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);
