-- Where and how each order ships, as routing decided it.
CREATE TABLE routes (
    order_id    TEXT PRIMARY KEY REFERENCES orders (id),
    location_id TEXT NOT NULL,
    carrier     TEXT NOT NULL,
    service     TEXT NOT NULL,
    ships_today INTEGER NOT NULL,
    decided_at  TEXT NOT NULL
);

-- Labels bought from carriers, kept so they can be printed again without buying twice.
CREATE TABLE labels (
    shipment_id INTEGER PRIMARY KEY REFERENCES shipments (id),
    carrier     TEXT NOT NULL,
    booking_id  TEXT NOT NULL,
    format      TEXT NOT NULL,
    content     BLOB NOT NULL,
    stored_at   TEXT NOT NULL
);
