-- A history of joins and status changes, so stats can answer "new and lost this week" and draw
-- subscribers over time; the current row alone only knows the latest change.
-- Deleting a subscriber keeps their events for the counts but forgets who they were (chat_id -> NULL).

CREATE TABLE subscriber_events (
    id          INTEGER PRIMARY KEY,
    chat_id     INTEGER REFERENCES subscribers (chat_id) ON DELETE SET NULL ON UPDATE CASCADE,
    at          INTEGER NOT NULL,
    kind        TEXT    NOT NULL
                        CHECK (kind IN ('joined', 'active', 'paused', 'blocked', 'left', 'deleted')),
    from_status TEXT    CHECK (from_status IS NULL OR from_status IN ('active', 'paused', 'blocked', 'left'))
);
CREATE INDEX subscriber_events_at ON subscriber_events (at, kind);
CREATE INDEX subscriber_events_chat ON subscriber_events (chat_id);

-- Triggers rather than repository code, so that no write path (import, chat migration) can forget.
CREATE TRIGGER subscribers_joined AFTER INSERT ON subscribers BEGIN
    INSERT INTO subscriber_events (chat_id, at, kind) VALUES (NEW.chat_id, NEW.created_at, 'joined');
END;

CREATE TRIGGER subscribers_status_changed AFTER UPDATE OF status ON subscribers
WHEN OLD.status IS NOT NEW.status BEGIN
    INSERT INTO subscriber_events (chat_id, at, kind, from_status)
    VALUES (NEW.chat_id, NEW.status_changed_at, NEW.status, OLD.status);
END;

-- Reconstruct what can be known about subscribers that predate this migration.
INSERT INTO subscriber_events (chat_id, at, kind)
SELECT chat_id, created_at, 'joined' FROM subscribers;
INSERT INTO subscriber_events (chat_id, at, kind, from_status)
SELECT chat_id, status_changed_at, status, 'active' FROM subscribers WHERE status <> 'active';
