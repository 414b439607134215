-- Alerting: per-target thresholds and conditions, notification channels, incidents,
-- and the outbox of notifications to deliver.

-- failure_threshold failed checks in a row open an incident and make a target down;
-- success_threshold successes in a row resolve it. The streak counters move with each
-- recorded check; last_status is now the confirmed state, not the last check's.
ALTER TABLE targets ADD COLUMN failure_threshold INTEGER NOT NULL DEFAULT 3;
ALTER TABLE targets ADD COLUMN success_threshold INTEGER NOT NULL DEFAULT 2;
ALTER TABLE targets ADD COLUMN conditions TEXT NOT NULL DEFAULT '[]';
ALTER TABLE targets ADD COLUMN consecutive_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE targets ADD COLUMN consecutive_successes INTEGER NOT NULL DEFAULT 0;
-- When the current run of failures began, and its first error: an incident opened
-- by the run starts then and quotes it.
ALTER TABLE targets ADD COLUMN streak_started_at TIMESTAMPTZ;
ALTER TABLE targets ADD COLUMN streak_first_error TEXT NOT NULL DEFAULT '';
ALTER TABLE targets ADD COLUMN open_incident_id BIGINT;

CREATE TABLE channels (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT        NOT NULL UNIQUE,
    type       TEXT        NOT NULL,
    -- The type's settings as JSON, secrets included: the API never returns those.
    config     TEXT        NOT NULL,
    is_default BOOLEAN     NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE target_channels (
    target_id  BIGINT NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    channel_id BIGINT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    PRIMARY KEY (target_id, channel_id)
);
CREATE INDEX target_channels_channel ON target_channels (channel_id);

CREATE TABLE incidents (
    id          BIGSERIAL PRIMARY KEY,
    target_id   BIGINT      NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    kind        TEXT        NOT NULL,
    started_at  TIMESTAMPTZ NOT NULL,
    resolved_at TIMESTAMPTZ,
    cause       TEXT        NOT NULL,
    first_error TEXT        NOT NULL DEFAULT '',
    last_error  TEXT        NOT NULL DEFAULT '',
    -- When the threshold was reached, which counts for "many at once".
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX incidents_target ON incidents (target_id, started_at DESC, id DESC);
CREATE INDEX incidents_started ON incidents (started_at DESC, id DESC);
CREATE INDEX incidents_created ON incidents (created_at);
-- At most one open incident of a kind per target, whatever replicas race.
CREATE UNIQUE INDEX incidents_open ON incidents (target_id, kind) WHERE resolved_at IS NULL;

-- The outbox: one row per notification to send, written in the transaction that
-- records the transition, sent by whichever replica claims it.
CREATE TABLE deliveries (
    id              BIGSERIAL PRIMARY KEY,
    -- Sent as X-WatchDog-Delivery, the same on every retry.
    key             TEXT        NOT NULL UNIQUE,
    channel_id      BIGINT      NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    target_id       BIGINT REFERENCES targets (id) ON DELETE CASCADE,
    incident_id     BIGINT REFERENCES incidents (id) ON DELETE CASCADE,
    event           TEXT        NOT NULL,
    -- The message as JSON, fixed when the transition happened.
    payload         TEXT        NOT NULL,
    -- pending, sent, failed (gave up) or suppressed (held back: checker degraded).
    state           TEXT        NOT NULL,
    attempts        INTEGER     NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    lease_token     TEXT,
    lease_until     TIMESTAMPTZ,
    last_error      TEXT        NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL,
    sent_at         TIMESTAMPTZ
);
-- Each (incident, event, channel) is queued once.
CREATE UNIQUE INDEX deliveries_once ON deliveries (incident_id, event, channel_id) WHERE incident_id IS NOT NULL;
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX deliveries_order ON deliveries (channel_id, target_id, id) WHERE state = 'pending';

-- Until now last_status was the last check's outcome. A target down at the upgrade
-- gets an incident (not notified: it was down before alerting existed), so its
-- recovery resolves it instead of going unnoticed, and its run of failures counts as
-- having reached the threshold.
INSERT INTO incidents (target_id, kind, started_at, cause, first_error, last_error, created_at)
SELECT id, 'down', COALESCE(last_checked_at, updated_at), 'down when alerting was set up', last_error, last_error,
       COALESCE(last_checked_at, updated_at)
FROM targets WHERE last_status = 'down';
UPDATE targets SET consecutive_failures = failure_threshold,
    open_incident_id = (SELECT id FROM incidents WHERE incidents.target_id = targets.id AND resolved_at IS NULL)
WHERE last_status = 'down';
