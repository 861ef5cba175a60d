-- Chat (kb/chat*, kb/support*, channels/wechat*): citizens' chat sessions with the robot and the
-- 在线客服 agents, their messages, the queue's change counter for the agents' long poll, and
-- the WeChat deliveries already answered (WeChat retries a message it got no answer to in time).
-- Times are Unix milliseconds.

CREATE TABLE chat_sessions (
    id TEXT NOT NULL PRIMARY KEY,
    token_hash TEXT NOT NULL,               -- hex SM3 of the secret token the citizen holds
    channel TEXT NOT NULL CHECK (channel IN ('web', 'mobile', 'kiosk', 'wechat')),
    branch_code TEXT NOT NULL DEFAULT '',
    person_id TEXT,                         -- the logged-in citizen, when one was
    openid TEXT,                            -- the WeChat user of a 'wechat' session
    address_hash TEXT NOT NULL DEFAULT '',  -- SM3 of the creating address (rate limit)
    state TEXT NOT NULL CHECK (state IN ('bot', 'clarifying', 'waiting', 'with_agent', 'closed')),
    agent_user_id TEXT,
    agent_name TEXT,
    fails INTEGER NOT NULL DEFAULT 0,       -- misses in a row (dialog)
    offered_json TEXT NOT NULL DEFAULT '[]',-- the entry ids of the last clarification
    last_question TEXT NOT NULL DEFAULT '',
    last_seq INTEGER NOT NULL DEFAULT 0,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL,
    last_message_at_ms BIGINT NOT NULL,
    waiting_since_ms BIGINT,
    closed_at_ms BIGINT
);
CREATE INDEX chat_sessions_state ON chat_sessions (state, last_message_at_ms);
CREATE INDEX chat_sessions_address ON chat_sessions (address_hash, created_at_ms);
-- One open session per WeChat user, even when two of their messages arrive at once.
CREATE UNIQUE INDEX chat_sessions_openid ON chat_sessions (openid) WHERE openid IS NOT NULL AND state <> 'closed';

CREATE TABLE chat_messages (
    session_id TEXT NOT NULL REFERENCES chat_sessions (id),
    seq INTEGER NOT NULL,
    sender TEXT NOT NULL CHECK (sender IN ('user', 'bot', 'agent', 'system')),
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    entry_id TEXT,
    options_json TEXT,
    agent TEXT,
    at_ms BIGINT NOT NULL,
    PRIMARY KEY (session_id, seq)
);

-- One row: bumped whenever the 在线客服 queue changes (a session waits, is taken, closed, or
-- gets a message), so agents' long polls on any node see the change.
CREATE TABLE support_queue_state (
    id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO support_queue_state (id, version) VALUES (1, 1);

CREATE TABLE wechat_deliveries (
    dedup_key TEXT NOT NULL PRIMARY KEY,    -- MsgId, or FromUserName + CreateTime for events
    reply TEXT,                             -- the plain reply XML; NULL while being answered
    created_at_ms BIGINT NOT NULL
);
CREATE INDEX wechat_deliveries_created ON wechat_deliveries (created_at_ms);
