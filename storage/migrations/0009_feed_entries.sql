-- Feed entries are identified by their id or link, never only by their date: an entry kept as its own issue
-- (FEED_MODE=issue) carries its key, and several keyed issues may share a date; FEED_MODE=daily keeps the
-- entries themselves until the day's digest is assembled at DIGEST_CUTOFF.
ALTER TABLE digests ADD COLUMN entry_key TEXT;
DROP INDEX digests_issue;
CREATE UNIQUE INDEX digests_issue ON digests (newsletter, issue_date) WHERE entry_key IS NULL;
CREATE UNIQUE INDEX digests_entry ON digests (entry_key) WHERE entry_key IS NOT NULL;

CREATE TABLE feed_entries (
    entry_key  TEXT    PRIMARY KEY,
    feed_url   TEXT    NOT NULL,
    digest_day TEXT    NOT NULL CHECK (date(digest_day) IS digest_day),
    position   INTEGER NOT NULL,
    title      TEXT    NOT NULL,
    link       TEXT,
    teaser     TEXT,
    author     TEXT,
    seen_at    INTEGER NOT NULL,
    assembled  INTEGER NOT NULL DEFAULT 0 CHECK (assembled IN (0, 1))
);
CREATE INDEX feed_entries_pending ON feed_entries (assembled, digest_day);
