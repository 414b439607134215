-- Targets counted by state, kept by triggers, so GET /stats and a list's total read a
-- handful of rows instead of counting every target on each poll (a scan of a table
-- that check results rewrite a thousand times a second).
--
-- A change of state appends rows (-1 for the state left, +1 for the one entered)
-- rather than updating a counter row: appends never wait on each other, so replicas
-- recording checks side by side neither queue nor deadlock on a shared row, and every
-- replica reads the same committed counts. The store folds the rows into one per
-- state once they pile up (Store.Totals). Triggers cover every write path, present
-- and future; a migration that rebuilds the targets table must create them again.
CREATE TABLE target_counts (
    id          BIGSERIAL PRIMARY KEY,
    is_active   BOOLEAN NOT NULL,
    last_status TEXT    NOT NULL,
    n           BIGINT  NOT NULL
);

-- Writers wait from here to the end of the migration's transaction, so no change
-- falls between this count and the triggers that count the next ones.
LOCK TABLE targets IN SHARE ROW EXCLUSIVE MODE;
INSERT INTO target_counts (is_active, last_status, n)
SELECT is_active, last_status, COUNT(*) FROM targets GROUP BY is_active, last_status;

-- Inserts and deletes are counted per statement: an import of thousands of targets
-- appends a row per state, not one per target.
CREATE FUNCTION target_counts_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO target_counts (is_active, last_status, n)
    SELECT is_active, last_status, COUNT(*) FROM added GROUP BY is_active, last_status;
    RETURN NULL;
END $$;

CREATE FUNCTION target_counts_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO target_counts (is_active, last_status, n)
    SELECT is_active, last_status, -COUNT(*) FROM removed GROUP BY is_active, last_status;
    RETURN NULL;
END $$;

-- Updates per row, and only when the state moved: the WHEN clause is judged before
-- the trigger is queued, so the batch UPDATE of every recorded check pays nothing.
CREATE FUNCTION target_counts_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO target_counts (is_active, last_status, n)
    VALUES (OLD.is_active, OLD.last_status, -1), (NEW.is_active, NEW.last_status, 1);
    RETURN NULL;
END $$;

CREATE TRIGGER target_counts_added AFTER INSERT ON targets
REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION target_counts_added();

CREATE TRIGGER target_counts_removed AFTER DELETE ON targets
REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION target_counts_removed();

CREATE TRIGGER target_counts_moved AFTER UPDATE OF is_active, last_status ON targets
FOR EACH ROW WHEN (OLD.is_active IS DISTINCT FROM NEW.is_active OR OLD.last_status IS DISTINCT FROM NEW.last_status)
EXECUTE FUNCTION target_counts_moved();
