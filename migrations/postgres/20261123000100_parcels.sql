-- Parcels being tracked: one row per shipment whose carrier has a tracking adapter. The
-- Track scheduler reads the due ones; a final status ends the row's polling for good.
CREATE TABLE parcels (
    shipment_id     BIGINT PRIMARY KEY REFERENCES shipments (id),
    carrier_code    TEXT COLLATE "C" NOT NULL,
    tracking_number TEXT COLLATE "C" NOT NULL,
    status          TEXT COLLATE "C",
    changed_at      TEXT COLLATE "C" NOT NULL,
    next_check_at   TEXT COLLATE "C" NOT NULL,
    checks          BIGINT NOT NULL DEFAULT 0,
    final           BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX parcels_due ON parcels (final, next_check_at);
CREATE INDEX parcels_by_number ON parcels (carrier_code, tracking_number);
