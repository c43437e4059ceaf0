-- When each delivery was due (the reader's scheduled instant, or the publication time for a late issue):
-- the push lag is sent_at - due_at, reported per slot by /stats and `briefing stats`. No index of its own:
-- the lag report reads recent sends through deliveries_sent_at, and every index costs the tick per row.
ALTER TABLE deliveries ADD COLUMN due_at INTEGER;
