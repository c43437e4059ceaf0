-- Readers whose pause ends, found without visiting every paused reader (issue #11): the minute tick
-- re-activates them first, and with thousands of readers paused the scan held the one writer for 190 ms.
-- Partial: only paused readers are in it, and the tick's reschedule (next_delivery_at) never touches it.
CREATE INDEX subscribers_pause_ends ON subscribers (paused_until) WHERE status = 'paused';
