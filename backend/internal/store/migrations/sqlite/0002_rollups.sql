-- Hourly and daily rollups of the checks, so statistics over a day or a year read a
-- few dozen rows instead of every check. A background job writes each hour once it
-- is over (and each day once its hours are), and keeps how far it has got in
-- settings; readers add the checks since then from the checks table.

CREATE TABLE rollups_hourly (
    target_id      BIGINT  NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    bucket_start   DATETIME NOT NULL,
    checks         INTEGER NOT NULL,
    up             INTEGER NOT NULL,
    cold_starts    INTEGER NOT NULL,
    latency_sum_ms BIGINT  NOT NULL,
    latency_min_ms INTEGER,
    latency_max_ms INTEGER,
    -- Counts of successful checks per latency bucket, comma-separated, trailing
    -- empty buckets left out.
    histogram      TEXT    NOT NULL,
    PRIMARY KEY (target_id, bucket_start)
);
-- Serves retention.
CREATE INDEX rollups_hourly_start ON rollups_hourly (bucket_start);

CREATE TABLE rollups_daily (
    target_id      BIGINT  NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    bucket_start   DATETIME NOT NULL,
    checks         INTEGER NOT NULL,
    up             INTEGER NOT NULL,
    cold_starts    INTEGER NOT NULL,
    latency_sum_ms BIGINT  NOT NULL,
    latency_min_ms INTEGER,
    latency_max_ms INTEGER,
    histogram      TEXT    NOT NULL,
    PRIMARY KEY (target_id, bucket_start)
);
CREATE INDEX rollups_daily_start ON rollups_daily (bucket_start);
