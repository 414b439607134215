-- Keep-warm: a target that must not fall asleep, planned around its host's idle limit.

ALTER TABLE targets ADD COLUMN keep_warm BOOLEAN NOT NULL DEFAULT FALSE;
-- A preset key from the platform catalog, or ''.
ALTER TABLE targets ADD COLUMN platform TEXT NOT NULL DEFAULT '';
ALTER TABLE targets ADD COLUMN idle_timeout_seconds INTEGER;
ALTER TABLE targets ADD COLUMN wake_timeout_seconds INTEGER NOT NULL DEFAULT 90;
-- The warm windows as JSON ('[]' is always), in timezone.
ALTER TABLE targets ADD COLUMN warm_windows TEXT NOT NULL DEFAULT '[]';
ALTER TABLE targets ADD COLUMN timezone TEXT NOT NULL DEFAULT 'UTC';
ALTER TABLE targets ADD COLUMN budget_group TEXT NOT NULL DEFAULT '';
CREATE INDEX targets_budget_group ON targets (budget_group) WHERE budget_group <> '';
-- The last successful check, and since when the target is meant to be warm (creation,
-- resume, keep-warm turned on): a keep-warm target that goes longer than its idle limit
-- without a success inside a window is in a warm-gap breach.
ALTER TABLE targets ADD COLUMN last_success_at TIMESTAMPTZ;
ALTER TABLE targets ADD COLUMN warm_since TIMESTAMPTZ;
ALTER TABLE targets ADD COLUMN warm_gap_breaches INTEGER NOT NULL DEFAULT 0;
