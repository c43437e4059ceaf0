-- The day an issue is (or was) the daily digest, when that is not its printed date: an undated issue is
-- the issue of the day it was published, and an archive issue an editor announced on purpose is that
-- day's. Today's issue is the published one whose coalesce(digest_day, issue_date) is latest, up to today.
ALTER TABLE digests ADD COLUMN digest_day TEXT;
UPDATE digests SET digest_day = date(published_at, 'unixepoch')
WHERE issue_date IS NULL AND published_at IS NOT NULL;
CREATE INDEX digests_status_day ON digests (status, coalesce(digest_day, issue_date));
