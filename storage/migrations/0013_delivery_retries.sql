-- Retries that outlast one attempt (issue #14): a send that failed for a reason that may pass (the token
-- rejected, the network, a 5xx, a timeout) stays queued, waits until next_attempt_at, and keeps being
-- tried until retry_until; only then is it failed for good. Failures that will not change (blocked, chat
-- gone, message rejected) stay final. A recipient waiting to be retried is 'pending' with retryable = 1
-- and its last error in `error`: "stuck" in the reports. A multi-part issue interrupted half-way keeps the
-- ids of the parts already sent in `message_ids` and resumes from the first unsent part.
-- possibly_doubled counts sends retried after an answer was lost (the first may have arrived).

ALTER TABLE deliveries ADD COLUMN next_attempt_at INTEGER;
ALTER TABLE deliveries ADD COLUMN retry_until INTEGER;
ALTER TABLE deliveries ADD COLUMN retryable INTEGER NOT NULL DEFAULT 0 CHECK (retryable IN (0, 1));
ALTER TABLE deliveries ADD COLUMN possibly_doubled INTEGER NOT NULL DEFAULT 0 CHECK (possibly_doubled >= 0);

ALTER TABLE broadcast_deliveries ADD COLUMN next_attempt_at INTEGER;
ALTER TABLE broadcast_deliveries ADD COLUMN retry_until INTEGER;
ALTER TABLE broadcast_deliveries ADD COLUMN retryable INTEGER NOT NULL DEFAULT 0 CHECK (retryable IN (0, 1));
ALTER TABLE broadcast_deliveries ADD COLUMN possibly_doubled INTEGER NOT NULL DEFAULT 0
    CHECK (possibly_doubled >= 0);

-- Failures recorded before this version were final whatever the cause (a rejected token failed every
-- reader): all but the blocked ones may be tried again by the next `briefing push`.
UPDATE deliveries SET retryable = 1 WHERE status = 'failed' AND coalesce(error, '') NOT LIKE 'blocked:%';
UPDATE broadcast_deliveries SET retryable = 1 WHERE status = 'failed' AND coalesce(error, '') NOT LIKE 'blocked:%';
