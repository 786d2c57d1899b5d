-- The same input refused at the same place for the same connector is kept once while
-- open (Store::quarantine). SQLite runs one write at a time, so the insert's
-- `WHERE NOT EXISTS` already held here; the index makes it a rule of the schema, as on
-- PostgreSQL, where concurrent inserts each saw no row and each inserted one. The
-- insert's `ON CONFLICT DO NOTHING` turns a conflict into "found the existing item".
--
-- SQLite has no size limit on index entries, so the input is indexed as is (PostgreSQL
-- indexes its SHA-256).
--
-- Copies left by an older build are closed first, so the index can be built: the oldest
-- stays open, the others become discarded (kept, not deleted).
UPDATE quarantine SET state = 'discarded',
    state_changed_at = strftime('%Y-%m-%dT%H:%M:%f', 'now') || '000Z'
WHERE state = 'open' AND EXISTS (
    SELECT 1 FROM quarantine AS older
    WHERE older.state = 'open' AND older.connector_id = quarantine.connector_id
        AND older.kind = quarantine.kind AND older.location = quarantine.location
        AND older.input = quarantine.input AND older.id < quarantine.id);
CREATE UNIQUE INDEX quarantine_open_once
    ON quarantine (connector_id, kind, location, input) WHERE state = 'open';
