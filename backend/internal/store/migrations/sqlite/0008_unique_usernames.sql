-- Usernames are unique whatever their case: "Admin" and "admin" would be two accounts
-- that read as one in every list and audit entry, and login matches either spelling.
--
-- A database that already holds such a pair keeps the first account (lowest id, the
-- one created first, usually the bootstrap admin) as it is and renames each later one
-- to "<name>-<id>". Failing here instead would stop the server at start-up, and with
-- no API to rename a user the operator could only fix it in SQL; this way the original
-- keeps its name, and the look-alike shows under a name an admin can tell apart (and
-- delete, or hand over).
UPDATE users SET username = username || '-' || CAST(id AS TEXT)
WHERE EXISTS (
    SELECT 1 FROM users AS earlier
    WHERE lower(earlier.username) = lower(users.username) AND earlier.id < users.id
);

-- Login looks users up by lower(username), which this index serves too.
CREATE UNIQUE INDEX users_username_lower ON users (lower(username));
