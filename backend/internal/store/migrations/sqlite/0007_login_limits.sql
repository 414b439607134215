-- Login limits: one token bucket per client address and per username, kept here and
-- not in one replica's memory, so N replicas behind the proxy allow the attempts one
-- would, not N times as many.
--
-- key_hash is an HMAC of the limited key (scope and address or username), never the
-- key itself. full_at is when the bucket is full again, in Unix microseconds: the
-- bucket's whole state, as in GCRA (an empty bucket is full_at = now + burst × every,
-- and taking a token moves it on by one interval). A plain integer keeps the refill
-- arithmetic the same SQL on both databases. A row whose full_at has passed is a full
-- bucket, the same as no row, so the retention job deletes those and nothing else.
CREATE TABLE login_limits (
    key_hash TEXT   PRIMARY KEY,
    full_at  BIGINT NOT NULL
);
CREATE INDEX login_limits_full_at ON login_limits (full_at);
