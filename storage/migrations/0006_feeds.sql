-- What the feed poller remembers between polls: the validators for conditional GET and the last outcome.
CREATE TABLE feeds (
    url           TEXT    PRIMARY KEY,
    etag          TEXT,
    last_modified TEXT,
    checked_at    INTEGER NOT NULL,
    ok            INTEGER NOT NULL CHECK (ok IN (0, 1)),
    error         TEXT
);
