-- Targets counted by state, kept by triggers, so GET /stats and a list's total read a
-- handful of rows instead of counting every target on each poll.
--
-- A change of state appends rows (-1 for the state left, +1 for the one entered)
-- rather than updating a counter row, as on PostgreSQL; the store folds them into one
-- row per state once they pile up (Store.Totals). Triggers cover every write path,
-- present and future. SQLite drops a table's triggers with the table: a migration
-- that rebuilds targets must create them again.
CREATE TABLE target_counts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    is_active   BOOLEAN NOT NULL,
    last_status TEXT    NOT NULL,
    n           INTEGER NOT NULL
);

INSERT INTO target_counts (is_active, last_status, n)
SELECT is_active, last_status, COUNT(*) FROM targets GROUP BY is_active, last_status;

CREATE TRIGGER target_counts_added AFTER INSERT ON targets
BEGIN
    INSERT INTO target_counts (is_active, last_status, n) VALUES (NEW.is_active, NEW.last_status, 1);
END;

CREATE TRIGGER target_counts_removed AFTER DELETE ON targets
BEGIN
    INSERT INTO target_counts (is_active, last_status, n) VALUES (OLD.is_active, OLD.last_status, -1);
END;

-- Only when the state moved: the batch UPDATE of every recorded check pays nothing.
CREATE TRIGGER target_counts_moved AFTER UPDATE OF is_active, last_status ON targets
WHEN OLD.is_active IS NOT NEW.is_active OR OLD.last_status IS NOT NEW.last_status
BEGIN
    INSERT INTO target_counts (is_active, last_status, n) VALUES (OLD.is_active, OLD.last_status, -1);
    INSERT INTO target_counts (is_active, last_status, n) VALUES (NEW.is_active, NEW.last_status, 1);
END;
