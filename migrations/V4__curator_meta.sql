-- Facts about this database that belong to Curator alone.
CREATE TABLE curator_meta (
    key TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);
-- Secrets in the OS keychain are keyed by this id, so two databases never share keys.
INSERT INTO curator_meta (key, value) VALUES ('install_id', lower(hex(randomblob(16))));
