-- Appointments (appointments/): the branch calendars, the slots booked against them, the two
-- kinds of appointment (visit, retrieval = 查档登记), the credit records of the no-show rule,
-- and the idempotency keys of creating requests. Capacity, one active booking per person and
-- slot, and the no-show bar are enforced here — by a CHECK on a counter row, a partial unique
-- index and a trigger — so they hold on any number of server nodes. Times are Unix
-- milliseconds; dates YYYY-MM-DD and minutes of the day are Asia/Shanghai.

-- How a branch books a service: slot length (visits), seats per slot (visits) or per day
-- (retrieval pick-ups), how many days ahead, and the time of day the next day opens.
CREATE TABLE booking_rules (
    branch_code TEXT NOT NULL REFERENCES branches (code),
    service TEXT NOT NULL CHECK (service IN ('visit', 'retrieval')),
    slot_minutes INTEGER NOT NULL CHECK (slot_minutes BETWEEN 5 AND 240),
    capacity INTEGER NOT NULL CHECK (capacity BETWEEN 0 AND 500),
    horizon_days INTEGER NOT NULL CHECK (horizon_days BETWEEN 1 AND 60),
    release_minute INTEGER NOT NULL CHECK (release_minute BETWEEN 0 AND 1439),
    updated_by TEXT,
    updated_at_ms BIGINT NOT NULL,
    PRIMARY KEY (branch_code, service)
);

-- Weekly opening hours: one or more intervals per weekday (1 = Monday … 7 = Sunday).
CREATE TABLE branch_hours (
    branch_code TEXT NOT NULL REFERENCES branches (code),
    weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    opens_minute INTEGER NOT NULL,
    closes_minute INTEGER NOT NULL,
    CHECK (opens_minute >= 0 AND opens_minute < closes_minute AND closes_minute <= 1440),
    PRIMARY KEY (branch_code, weekday, opens_minute)
);

-- Holidays and the working weekends of the holiday shifts (调休). scope '' is every branch;
-- a branch code overrides it for that branch.
CREATE TABLE calendar_days (
    scope TEXT NOT NULL,
    day TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name TEXT NOT NULL,
    updated_by TEXT,
    updated_at_ms BIGINT NOT NULL,
    PRIMARY KEY (scope, day)
);

-- A slot is written when first booked (id: branch/service/date/HHMM). `booked` counts the
-- active bookings; the CHECK is what makes "the last seat" exact under any concurrency.
CREATE TABLE slots (
    id TEXT NOT NULL PRIMARY KEY,
    branch_code TEXT NOT NULL REFERENCES branches (code),
    service TEXT NOT NULL CHECK (service IN ('visit', 'retrieval')),
    day TEXT NOT NULL,
    start_minute INTEGER NOT NULL,
    end_minute INTEGER NOT NULL,
    starts_at_ms BIGINT NOT NULL,
    ends_at_ms BIGINT NOT NULL,
    capacity INTEGER NOT NULL,
    booked INTEGER NOT NULL DEFAULT 0,
    CHECK (booked >= 0 AND booked <= capacity)
);
CREATE INDEX slots_branch_day ON slots (branch_code, service, day);

CREATE TABLE appointments (
    id TEXT NOT NULL PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,                 -- booking code, also the pick-up code
    kind TEXT NOT NULL CHECK (kind IN ('visit', 'retrieval')),
    person_id TEXT NOT NULL REFERENCES persons (id),
    branch_code TEXT NOT NULL REFERENCES branches (code),
    slot_id TEXT NOT NULL REFERENCES slots (id),
    day TEXT NOT NULL,
    starts_at_ms BIGINT NOT NULL,
    ends_at_ms BIGINT NOT NULL,
    deadline_at_ms BIGINT,                     -- becomes a no-show after this (NULL: cannot)
    state TEXT NOT NULL CHECK (state IN ('booked', 'checked_in', 'received', 'preparing', 'ready',
                                         'collected', 'mailed', 'returned', 'cancelled', 'no_show')),
    channel TEXT NOT NULL CHECK (channel IN ('web', 'mobile', 'kiosk', 'window', 'wechat', 'phone')),
    created_by TEXT,                           -- the staff user who booked on the person's behalf
    purpose TEXT,
    purpose_detail TEXT,
    materials_json TEXT,
    delivery TEXT CHECK (delivery IS NULL OR delivery IN ('pickup', 'mail')),
    mail_to_sealed BYTEA,
    courier TEXT,
    tracking_number TEXT,
    pickup_code_hash TEXT,                     -- HMAC of the pick-up code sent by SMS when ready; staff never see it
    return_reason TEXT,
    checked_in_at_ms BIGINT,
    cancelled_at_ms BIGINT,
    no_show_at_ms BIGINT,
    no_show_reason TEXT CHECK (no_show_reason IS NULL OR no_show_reason IN ('absent', 'late_cancel')),
    no_show_month TEXT,                        -- YYYY-MM of the deadline (or of the late cancel)
    no_show_voided_at_ms BIGINT,
    void_reason TEXT,
    voided_by TEXT,
    reminded_at_ms BIGINT,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL
);
CREATE UNIQUE INDEX appointments_one_per_slot ON appointments (person_id, slot_id)
    WHERE state IN ('booked', 'checked_in', 'received', 'preparing', 'ready');
CREATE INDEX appointments_person ON appointments (person_id, created_at_ms);
CREATE INDEX appointments_branch_day ON appointments (branch_code, day);
CREATE INDEX appointments_due ON appointments (deadline_at_ms) WHERE state IN ('booked', 'ready');
CREATE INDEX appointments_to_remind ON appointments (starts_at_ms) WHERE state = 'booked' AND reminded_at_ms IS NULL;
CREATE INDEX appointments_no_shows ON appointments (person_id, no_show_month) WHERE state = 'no_show';

-- What happened to an appointment, for the staff view.
CREATE TABLE appointment_events (
    appointment_id TEXT NOT NULL REFERENCES appointments (id),
    seq INTEGER NOT NULL,
    at_ms BIGINT NOT NULL,
    action TEXT NOT NULL,
    actor_id TEXT,
    note TEXT,
    PRIMARY KEY (appointment_id, seq)
);

-- 信用记录: written when a month's no-shows reach the limit; bars booking from bars_from_ms
-- until bars_until_ms (the first day of the next month) unless revoked.
CREATE TABLE credit_records (
    id TEXT NOT NULL PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES persons (id),
    kind TEXT NOT NULL CHECK (kind IN ('no_show')),
    period TEXT NOT NULL,                      -- YYYY-MM
    no_shows INTEGER NOT NULL,
    bars_from_ms BIGINT NOT NULL,
    bars_until_ms BIGINT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    revoked_at_ms BIGINT,
    revoked_by TEXT,
    revoke_reason TEXT
);
CREATE UNIQUE INDEX credit_records_live ON credit_records (person_id, kind, period) WHERE revoked_at_ms IS NULL;

-- The bar, on every channel and every node: no appointment is created while a live credit
-- record bars its person.
CREATE FUNCTION appointments_refuse_barred() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM credit_records c
               WHERE c.person_id = NEW.person_id AND c.revoked_at_ms IS NULL
                 AND NEW.created_at_ms >= c.bars_from_ms AND NEW.created_at_ms < c.bars_until_ms) THEN
        RAISE EXCEPTION 'booking_barred' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER appointments_barred BEFORE INSERT ON appointments
    FOR EACH ROW EXECUTE FUNCTION appointments_refuse_barred();

-- Idempotency-Key of creating requests: a retried request finds the resource its first try made.
CREATE TABLE idempotency_keys (
    subject_id TEXT NOT NULL,                  -- who sent it (person or user id)
    scope TEXT NOT NULL,                       -- what it creates, e.g. 'appointment'
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    PRIMARY KEY (subject_id, scope, idem_key)
);
CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at_ms);
