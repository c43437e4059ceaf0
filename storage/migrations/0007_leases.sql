-- One delivery engine at a time: a lease with an expiry, renewed while the engine runs. A second process
-- (a `briefing push` beside the running bot) sees it and leaves the sending to the holder.
CREATE TABLE leases (
    name       TEXT    PRIMARY KEY,
    owner      TEXT    NOT NULL,
    expires_at INTEGER NOT NULL
);
