-- Reach: groups and forum topics as subscribers, quiet hours, channel posts, opens and reactions.

-- What kind of chat a subscriber is, and the forum topic its deliveries go to (NULL: the whole chat).
ALTER TABLE subscribers ADD COLUMN chat_kind TEXT NOT NULL DEFAULT 'private'
    CHECK (chat_kind IN ('private', 'group', 'supergroup', 'channel'));
ALTER TABLE subscribers ADD COLUMN thread_id INTEGER CHECK (thread_id IS NULL OR thread_id > 0);
-- Quiet hours in the reader's local time ('HH:MM', both or neither); hold = keep alerts until they end.
ALTER TABLE subscribers ADD COLUMN quiet_start TEXT
    CHECK (quiet_start IS NULL OR (quiet_start GLOB '[0-2][0-9]:[0-5][0-9]' AND quiet_start <= '23:59'));
ALTER TABLE subscribers ADD COLUMN quiet_end TEXT
    CHECK (quiet_end IS NULL OR (quiet_end GLOB '[0-2][0-9]:[0-5][0-9]' AND quiet_end <= '23:59'));
ALTER TABLE subscribers ADD COLUMN quiet_hold INTEGER NOT NULL DEFAULT 0 CHECK (quiet_hold IN (0, 1));

-- A broadcast marked urgent is never held for quiet hours; one for the channels is posted there too.
ALTER TABLE broadcasts ADD COLUMN urgent INTEGER NOT NULL DEFAULT 0 CHECK (urgent IN (0, 1));
ALTER TABLE broadcasts ADD COLUMN to_channels INTEGER NOT NULL DEFAULT 0 CHECK (to_channels IN (0, 1));
-- A recipient in quiet hours who asked to hold alerts is not claimed before this instant.
ALTER TABLE broadcast_deliveries ADD COLUMN held_until INTEGER;

-- What was posted to the publisher's channels (CHANNELS): one row per channel and issue or broadcast.
CREATE TABLE channel_posts (
    id           INTEGER PRIMARY KEY,
    channel      TEXT    NOT NULL CHECK (channel <> ''),  -- as configured: '@name' or the numeric id
    chat_id      INTEGER,                                 -- the channel's id, once Telegram named it
    digest_id    INTEGER REFERENCES digests (id) ON DELETE CASCADE,
    broadcast_id INTEGER REFERENCES broadcasts (id) ON DELETE CASCADE,
    status       TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    message_ids  TEXT    CHECK (message_ids IS NULL
                                OR (json_valid(message_ids) AND json_type(message_ids) = 'array')),
    error        TEXT,
    created_at   INTEGER NOT NULL,
    posted_at    INTEGER,
    CHECK ((digest_id IS NULL) <> (broadcast_id IS NULL)),
    CHECK ((status = 'sent') = (posted_at IS NOT NULL))
);
CREATE UNIQUE INDEX channel_posts_digest ON channel_posts (channel, digest_id) WHERE digest_id IS NOT NULL;
CREATE UNIQUE INDEX channel_posts_broadcast ON channel_posts (channel, broadcast_id) WHERE broadcast_id IS NOT NULL;
CREATE INDEX channel_posts_chat ON channel_posts (chat_id);

-- Reactions on channel posts, as Telegram counts them (message_reaction_count): the latest total per message.
CREATE TABLE post_reactions (
    chat_id    INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    digest_id  INTEGER REFERENCES digests (id) ON DELETE CASCADE,
    total      INTEGER NOT NULL CHECK (total >= 0),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (chat_id, message_id)
) WITHOUT ROWID;
CREATE INDEX post_reactions_digest ON post_reactions (digest_id);

-- Anonymous counts of pieces opened, per item and UTC day: no reader is recorded.
CREATE TABLE item_opens (
    digest_id INTEGER NOT NULL REFERENCES digests (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL CHECK (position >= 0),
    day       TEXT    NOT NULL CHECK (date(day) IS day),
    opens     INTEGER NOT NULL CHECK (opens > 0),
    PRIMARY KEY (digest_id, position, day)
) WITHOUT ROWID;
CREATE INDEX item_opens_day ON item_opens (day);
