-- The same input refused at the same place for the same connector is kept once while
-- open (Store::quarantine). The insert's `WHERE NOT EXISTS` alone does not hold that under
-- READ COMMITTED: concurrent inserts each see no row and each insert one. With this index
-- the later ones conflict, and the insert's `ON CONFLICT DO NOTHING` turns that into
-- "found the existing item".
--
-- The input is indexed by its SHA-256, not as is: a B-tree entry holds at most about
-- 2.7 kB, and a quarantined order payload is often larger.
--
-- Copies such races already made are closed first, so the index can be built: the oldest
-- stays open, the others become discarded (kept, not deleted).
UPDATE quarantine SET state = 'discarded',
    state_changed_at = to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
WHERE state = 'open' AND EXISTS (
    SELECT 1 FROM quarantine AS older
    WHERE older.state = 'open' AND older.connector_id = quarantine.connector_id
        AND older.kind = quarantine.kind AND older.location = quarantine.location
        AND older.input = quarantine.input AND older.id < quarantine.id);
CREATE UNIQUE INDEX quarantine_open_once
    ON quarantine (connector_id, kind, location, sha256(input)) WHERE state = 'open';
