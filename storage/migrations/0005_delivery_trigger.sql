-- A delivery marked sent records the reader's last issue in the same statement (a trigger), so the
-- delivery engine's hot path is one UPDATE per send instead of a two-statement transaction.
CREATE TRIGGER deliveries_last_digest AFTER UPDATE OF status ON deliveries
WHEN new.status = 'sent' AND old.status <> 'sent'
BEGIN
    UPDATE subscribers SET last_digest_id = new.digest_id WHERE chat_id = new.chat_id;
END;
