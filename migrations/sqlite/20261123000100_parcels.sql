-- Parcels being tracked: one row per shipment whose carrier has a tracking adapter. The
-- Track scheduler reads the due ones; a final status ends the row's polling for good.
CREATE TABLE parcels (
    shipment_id     INTEGER PRIMARY KEY REFERENCES shipments (id),
    carrier_code    TEXT NOT NULL,
    tracking_number TEXT NOT NULL,
    status          TEXT,
    changed_at      TEXT NOT NULL,
    next_check_at   TEXT NOT NULL,
    checks          INTEGER NOT NULL DEFAULT 0,
    final           INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX parcels_due ON parcels (final, next_check_at);
CREATE INDEX parcels_by_number ON parcels (carrier_code, tracking_number);
