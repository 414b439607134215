-- Access and sharing: two-factor login, API keys, status pages and the audit log.

-- A TOTP secret while 2FA is being set up (totp_enabled false) or in use; the last
-- time step a code was accepted for, so a code works once.
ALTER TABLE users ADD COLUMN totp_secret    TEXT    NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_enabled   BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT  NOT NULL DEFAULT 0;
-- Wrong two-factor codes in a row, and until when login is refused after too many:
-- kept here, not in one replica's memory, so every replica counts the same guesses.
ALTER TABLE users ADD COLUMN otp_failures     INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN otp_locked_until DATETIME;

-- One-time recovery codes, stored as hashes.
CREATE TABLE recovery_codes (
    user_id   BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT   NOT NULL,
    PRIMARY KEY (user_id, code_hash)
);

-- Keys for scripts and SDKs. A key belongs to the user who made it and dies with them;
-- only its SHA-256 is kept.
CREATE TABLE api_keys (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT        NOT NULL,
    role         TEXT        NOT NULL,
    prefix       TEXT        NOT NULL,
    key_hash     TEXT        NOT NULL UNIQUE,
    expires_at   DATETIME,
    last_used_at DATETIME,
    created_at   DATETIME NOT NULL
);
CREATE INDEX api_keys_user ON api_keys (user_id);

CREATE TABLE status_pages (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    slug        TEXT        NOT NULL UNIQUE,
    title       TEXT        NOT NULL,
    description TEXT        NOT NULL DEFAULT '',
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);

-- The targets a page shows, in its order. The target_id index answers "is this target
-- on any page?" for badges.
CREATE TABLE status_page_targets (
    page_id   BIGINT  NOT NULL REFERENCES status_pages (id) ON DELETE CASCADE,
    target_id BIGINT  NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    PRIMARY KEY (page_id, target_id)
);
CREATE INDEX status_page_targets_target ON status_page_targets (target_id);

-- Who changed what and when. The actor's name is copied so an entry outlives its user.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          DATETIME NOT NULL,
    actor_id    BIGINT,
    actor       TEXT        NOT NULL,
    action      TEXT        NOT NULL,
    kind        TEXT        NOT NULL,
    object_id   BIGINT,
    object_name TEXT        NOT NULL DEFAULT '',
    changes     TEXT        NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);

-- The token version a refresh token was issued under: one issued or rotated while the
-- password changed is dead at its next use, whatever the revoking UPDATE saw.
ALTER TABLE refresh_tokens ADD COLUMN token_version INTEGER NOT NULL DEFAULT 0;
UPDATE refresh_tokens SET token_version = (SELECT token_version FROM users WHERE users.id = refresh_tokens.user_id);
