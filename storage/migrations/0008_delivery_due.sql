-- When each delivery was due (the reader's scheduled instant, or the publication time for a late issue):
-- the push lag is sent_at - due_at, reported per slot by /stats and `briefing stats`.
ALTER TABLE deliveries ADD COLUMN due_at INTEGER;
CREATE INDEX deliveries_due_at ON deliveries (due_at) WHERE due_at IS NOT NULL;
