-- Core tables: issues and their items, subscribers and what they follow, per-issue deliveries.
-- Instants are INTEGER seconds since the Unix epoch (UTC); calendar dates are 'YYYY-MM-DD' text.

CREATE TABLE digests (
    id           INTEGER PRIMARY KEY,
    newsletter   TEXT,
    issue_date   TEXT    CHECK (issue_date IS NULL OR date(issue_date) IS issue_date),
    title        TEXT,
    summary      TEXT,
    source       TEXT,
    content_hash TEXT    NOT NULL UNIQUE CHECK (length(content_hash) = 64),
    status       TEXT    NOT NULL DEFAULT 'draft'
                         CHECK (status IN ('draft', 'published', 'withdrawn')),
    published_at INTEGER,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    -- The issue as Digest.to_json_dict() printed it when stored: the archive copy, for exports.
    raw          TEXT    NOT NULL CHECK (json_valid(raw)),
    CHECK (status <> 'published' OR published_at IS NOT NULL)
);
-- One current row per issue: a corrected re-ingest of the same date updates this row in place.
-- (NULLs are distinct here, so undated issues never collide; DigestRepository.save matches with IS.)
CREATE UNIQUE INDEX digests_issue ON digests (newsletter, issue_date);
CREATE INDEX digests_status_date ON digests (status, issue_date);

CREATE TABLE sections (
    id        INTEGER PRIMARY KEY,
    digest_id INTEGER NOT NULL REFERENCES digests (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL CHECK (position >= 0),
    title     TEXT,
    UNIQUE (digest_id, position)
);

CREATE TABLE items (
    id           INTEGER PRIMARY KEY,
    digest_id    INTEGER NOT NULL REFERENCES digests (id) ON DELETE CASCADE,
    section_id   INTEGER NOT NULL REFERENCES sections (id) ON DELETE CASCADE,
    -- Order within the whole issue (0-based), so "item 3 of today's issue" needs no section lookup.
    position     INTEGER NOT NULL CHECK (position >= 0),
    kind         TEXT    NOT NULL CHECK (kind IN ('story', 'opinion', 'brief')),
    title        TEXT    NOT NULL,
    author       TEXT,
    -- The author normalised for lookup (case, accents, spacing folded); NULL when there is no author.
    author_key   TEXT    CHECK (author_key IS NULL OR author_key <> ''),
    read_minutes INTEGER CHECK (read_minutes IS NULL OR read_minutes >= 0),
    words        INTEGER CHECK (words IS NULL OR words >= 0),
    -- Paragraphs as a JSON array of strings: exact, whatever the paragraphs contain.
    body         TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(body) AND json_type(body) = 'array'),
    link         TEXT,
    emoji        TEXT,
    UNIQUE (digest_id, position)
);
CREATE INDEX items_section ON items (section_id);
CREATE INDEX items_author ON items (author_key, digest_id) WHERE author_key IS NOT NULL;

CREATE TABLE subscribers (
    chat_id                  INTEGER PRIMARY KEY,
    user_id                  INTEGER,
    first_name               TEXT,
    username                 TEXT,
    language                 TEXT,
    status                   TEXT    NOT NULL DEFAULT 'active'
                                     CHECK (status IN ('active', 'paused', 'blocked', 'left')),
    timezone                 TEXT    NOT NULL DEFAULT 'UTC' CHECK (timezone <> ''),
    delivery_time            TEXT    NOT NULL DEFAULT '08:00'
                                     CHECK (delivery_time GLOB '[0-2][0-9]:[0-5][0-9]'
                                            AND delivery_time <= '23:59'),
    format                   TEXT    NOT NULL DEFAULT 'full' CHECK (format IN ('full', 'headlines')),
    want_stories             INTEGER NOT NULL DEFAULT 1 CHECK (want_stories IN (0, 1)),
    want_opinions            INTEGER NOT NULL DEFAULT 1 CHECK (want_opinions IN (0, 1)),
    want_briefs              INTEGER NOT NULL DEFAULT 1 CHECK (want_briefs IN (0, 1)),
    breaking_alerts          INTEGER NOT NULL DEFAULT 1 CHECK (breaking_alerts IN (0, 1)),
    push_followed_on_publish INTEGER NOT NULL DEFAULT 0 CHECK (push_followed_on_publish IN (0, 1)),
    paused_until             INTEGER CHECK (paused_until IS NULL OR status = 'paused'),
    next_delivery_at         INTEGER,
    last_digest_id           INTEGER REFERENCES digests (id) ON DELETE SET NULL,
    created_at               INTEGER NOT NULL,
    updated_at               INTEGER NOT NULL,
    status_changed_at        INTEGER NOT NULL
);
-- "Who is due": status = 'active' AND next_delivery_at <= ?, a range scan in delivery order.
CREATE INDEX subscribers_due ON subscribers (status, next_delivery_at);

CREATE TABLE followed_authors (
    chat_id     INTEGER NOT NULL REFERENCES subscribers (chat_id) ON DELETE CASCADE ON UPDATE CASCADE,
    author_key  TEXT    NOT NULL CHECK (author_key <> ''),
    author_name TEXT    NOT NULL,
    followed_at INTEGER NOT NULL,
    PRIMARY KEY (chat_id, author_key)
) WITHOUT ROWID;
CREATE INDEX followed_authors_key ON followed_authors (author_key);

CREATE TABLE deliveries (
    digest_id   INTEGER NOT NULL REFERENCES digests (id) ON DELETE CASCADE,
    chat_id     INTEGER NOT NULL REFERENCES subscribers (chat_id) ON DELETE CASCADE ON UPDATE CASCADE,
    status      TEXT    NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped')),
    attempts    INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    message_ids TEXT    CHECK (message_ids IS NULL
                               OR (json_valid(message_ids) AND json_type(message_ids) = 'array')),
    error       TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    sent_at     INTEGER,
    PRIMARY KEY (digest_id, chat_id),
    CHECK ((status = 'sent') = (sent_at IS NOT NULL))
) WITHOUT ROWID;
CREATE INDEX deliveries_status ON deliveries (status, digest_id);
-- Also serves the cascade when a subscriber is deleted.
CREATE INDEX deliveries_chat ON deliveries (chat_id, sent_at);
CREATE INDEX deliveries_sent_at ON deliveries (sent_at) WHERE sent_at IS NOT NULL;
