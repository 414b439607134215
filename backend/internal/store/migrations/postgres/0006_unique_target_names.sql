-- Target names are unique, case-insensitively: config as code matches targets by name,
-- so two targets named alike made an export that apply refused.

-- First rename the duplicates already stored, deterministically: in each group of names
-- equal but for case, the oldest target (lowest id) keeps its name and the others become
-- "name (2)", "name (3)", ... in id order, skipping suffixes another target already has.
-- A renamed name cannot equal another renamed one: "a (k)" = "b (j)" only when a = b
-- and k = j.
-- An index on the lower-cased name for the look-ups of candidate names below: without
-- it each is a scan of every target, and a database of many targets named after a few
-- hosts would take quadratic time to migrate.
CREATE INDEX target_names_lower_migrating ON targets (lower(name));

CREATE TEMPORARY TABLE target_renames AS
WITH RECURSIVE
named AS (
    SELECT id, name, lower(name) AS lname,
           ROW_NUMBER() OVER (PARTITION BY lower(name) ORDER BY id) AS rn,
           COUNT(*) OVER (PARTITION BY lower(name)) AS n
    FROM targets
),
groups AS (
    -- Enough candidate suffixes: one per duplicate, plus one per name that may
    -- already hold a suffix of this group.
    SELECT g.lname, g.n + (SELECT COUNT(*) FROM targets t
                           WHERE substr(lower(t.name), 1, length(g.lname) + 2) = g.lname || ' (') AS bound
    FROM (SELECT DISTINCT lname, n FROM named WHERE n > 1) g
),
candidates (lname, k, bound) AS (
    SELECT lname, 2, bound FROM groups
    UNION ALL
    SELECT lname, k + 1, bound FROM candidates WHERE k <= bound
),
free AS (
    SELECT c.lname, c.k, ROW_NUMBER() OVER (PARTITION BY c.lname ORDER BY c.k) AS fn
    FROM candidates c
    WHERE NOT EXISTS (SELECT 1 FROM targets t WHERE lower(t.name) = c.lname || ' (' || c.k || ')')
)
SELECT d.id AS id, d.name || ' (' || f.k || ')' AS new_name
FROM named d JOIN free f ON f.lname = d.lname AND f.fn = d.rn - 1
WHERE d.rn > 1;

UPDATE targets SET name = (SELECT r.new_name FROM target_renames r WHERE r.id = targets.id)
WHERE id IN (SELECT id FROM target_renames);

DROP TABLE target_renames;
DROP INDEX target_names_lower_migrating;

CREATE UNIQUE INDEX targets_name_unique ON targets (lower(name));
