-- Outgoing messages (notify/): written by Enqueue in the transaction of the change that causes
-- them, delivered by a Sender on any node. A row moves queued → sending (claimed, with a lease)
-- → sent, or back to queued with a later next_attempt_at_ms after a failure, or to failed once
-- notify.max_attempts are used up. The recipient is sealed with associated data
-- "outbox.recipient". Times are Unix milliseconds.
CREATE TABLE outbox (
    id TEXT NOT NULL PRIMARY KEY,
    channel TEXT NOT NULL,                      -- 'sms'
    recipient_sealed BLOB NOT NULL,
    recipient_masked TEXT NOT NULL,             -- 138****5678, for operators
    text TEXT NOT NULL,
    template_id TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,        -- failed attempts so far
    next_attempt_at_ms BIGINT NOT NULL,
    lease_until_ms BIGINT NOT NULL DEFAULT 0,   -- while 'sending': another node may reclaim it after this
    last_error TEXT,
    created_at_ms BIGINT NOT NULL,
    sent_at_ms BIGINT
);
-- The sender's two queries: due queued rows of a channel, and claims whose lease ran out.
-- Partial, so the sent rows that pile up cost them nothing.
CREATE INDEX outbox_due ON outbox (channel, next_attempt_at_ms) WHERE state = 'queued';
CREATE INDEX outbox_leased ON outbox (channel, lease_until_ms) WHERE state = 'sending';
-- Operators: what failed, newest first.
CREATE INDEX outbox_state ON outbox (state, created_at_ms);
