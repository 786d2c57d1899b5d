-- Finds an open quarantine item by where it was refused, so the same input refused again
-- at the same place (a pull's look-back re-reading a bad order) is kept once.
CREATE INDEX quarantine_open_by_place ON quarantine (connector_id, kind, location) WHERE state = 'open';
