-- Editor broadcasts (one text to every active reader) and the audit trail of editor actions.

CREATE TABLE broadcasts (
    id           INTEGER PRIMARY KEY,
    editor_id    INTEGER NOT NULL,
    text         TEXT    NOT NULL CHECK (text <> ''),  -- Telegram HTML, sent as is
    status       TEXT    NOT NULL DEFAULT 'draft'
                         CHECK (status IN ('draft', 'confirmed', 'sending', 'done', 'cancelled')),
    created_at   INTEGER NOT NULL,
    confirmed_at INTEGER,
    finished_at  INTEGER,
    -- Totals, frozen when the broadcast finishes; progress while sending comes from broadcast_deliveries.
    recipients   INTEGER NOT NULL DEFAULT 0 CHECK (recipients >= 0),
    sent         INTEGER NOT NULL DEFAULT 0 CHECK (sent >= 0),
    failed       INTEGER NOT NULL DEFAULT 0 CHECK (failed >= 0),
    skipped      INTEGER NOT NULL DEFAULT 0 CHECK (skipped >= 0),
    CHECK (status NOT IN ('confirmed', 'sending', 'done') OR confirmed_at IS NOT NULL),
    CHECK (status NOT IN ('done', 'cancelled') OR finished_at IS NOT NULL)
);
CREATE INDEX broadcasts_status ON broadcasts (status, id);

CREATE TABLE broadcast_deliveries (
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
    chat_id      INTEGER NOT NULL REFERENCES subscribers (chat_id) ON DELETE CASCADE ON UPDATE CASCADE,
    status       TEXT    NOT NULL DEFAULT 'pending'
                         CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped')),
    attempts     INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    message_ids  TEXT    CHECK (message_ids IS NULL
                                OR (json_valid(message_ids) AND json_type(message_ids) = 'array')),
    error        TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    sent_at      INTEGER,
    PRIMARY KEY (broadcast_id, chat_id),
    CHECK ((status = 'sent') = (sent_at IS NOT NULL))
) WITHOUT ROWID;
CREATE INDEX broadcast_deliveries_status ON broadcast_deliveries (status, broadcast_id);
CREATE INDEX broadcast_deliveries_chat ON broadcast_deliveries (chat_id);

CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    at       INTEGER NOT NULL,
    actor_id INTEGER,
    action   TEXT    NOT NULL CHECK (action <> ''),
    target   TEXT,
    details  TEXT    CHECK (details IS NULL OR json_valid(details)),
    allowed  INTEGER NOT NULL DEFAULT 1 CHECK (allowed IN (0, 1))
);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);
CREATE INDEX audit_log_action ON audit_log (action, id);
