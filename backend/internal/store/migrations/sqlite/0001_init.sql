-- The first schema: targets and their checks, users, refresh tokens, settings.

CREATE TABLE targets (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    name                TEXT        NOT NULL,
    url                 TEXT        NOT NULL,
    method              TEXT        NOT NULL,
    headers             TEXT        NOT NULL DEFAULT '{}',
    interval_seconds    INTEGER     NOT NULL,
    timeout_seconds     INTEGER     NOT NULL,
    expected_status     TEXT        NOT NULL,
    retries             INTEGER     NOT NULL,
    retry_delay_seconds INTEGER     NOT NULL,
    -- The check's time budget plus a margin, written with the fields it derives from
    -- so the claim query can set each lease without knowing the retry rules.
    lease_seconds       INTEGER     NOT NULL,
    is_active           BOOLEAN     NOT NULL,
    last_status         TEXT        NOT NULL DEFAULT 'unknown',
    last_checked_at     DATETIME,
    last_latency_ms     INTEGER,
    last_status_code    INTEGER,
    last_error          TEXT        NOT NULL DEFAULT '',
    median_latency_ms   INTEGER,
    -- When the target is next due. While a check runs it holds the lease's end, so an
    -- abandoned lease simply becomes due again.
    next_check_at       DATETIME,
    -- The slot the running check is for, and the claim that holds it.
    slot_at             DATETIME,
    lease_token         TEXT,
    created_at          DATETIME NOT NULL,
    updated_at          DATETIME NOT NULL
);
-- Serves the claim query: the due, active targets in the order they fell due.
CREATE INDEX targets_due ON targets (next_check_at) WHERE is_active;
CREATE INDEX targets_name ON targets (lower(name), id);

CREATE TABLE target_tags (
    target_id BIGINT NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    tag       TEXT   NOT NULL,
    PRIMARY KEY (target_id, tag)
);
CREATE INDEX target_tags_tag ON target_tags (tag, target_id);

CREATE TABLE checks (
    -- No AUTOINCREMENT: checks are written fastest of all, and a reused id is harmless.
    id           INTEGER PRIMARY KEY,
    target_id    BIGINT      NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    checked_at   DATETIME NOT NULL,
    scheduled_at DATETIME,
    latency_ms   INTEGER     NOT NULL,
    status_code  INTEGER,
    ok           BOOLEAN     NOT NULL,
    error        TEXT        NOT NULL DEFAULT '',
    attempts     INTEGER     NOT NULL,
    cold_start   BOOLEAN     NOT NULL DEFAULT FALSE,
    wake_ms      INTEGER
);
-- Serves the newest-first history of one target and its windowed stats.
CREATE INDEX checks_target_time ON checks (target_id, checked_at DESC, id DESC);
-- One recorded check per target and scheduled slot, so a retried write or a lease
-- taken over from a slow replica never records a slot twice. Checks run on request
-- have no slot (NULLs are distinct).
CREATE UNIQUE INDEX checks_target_slot ON checks (target_id, scheduled_at);
-- Serves retention.
CREATE INDEX checks_time ON checks (checked_at);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT        NOT NULL UNIQUE,
    password_hash TEXT        NOT NULL,
    role          TEXT        NOT NULL,
    token_version INTEGER     NOT NULL DEFAULT 0,
    created_at    DATETIME NOT NULL
);

CREATE TABLE refresh_tokens (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- Tokens rotated from one login share a family; reusing a spent token revokes it.
    family     TEXT        NOT NULL,
    token_hash TEXT        NOT NULL UNIQUE,
    expires_at DATETIME NOT NULL,
    used_at    DATETIME,
    revoked_at DATETIME,
    created_at DATETIME NOT NULL
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);
CREATE INDEX refresh_tokens_expires ON refresh_tokens (expires_at);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
