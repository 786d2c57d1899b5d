-- Where and how each order ships, as routing decided it.
CREATE TABLE routes (
    order_id    TEXT COLLATE "C" PRIMARY KEY REFERENCES orders (id),
    location_id TEXT COLLATE "C" NOT NULL,
    carrier     TEXT COLLATE "C" NOT NULL,
    service     TEXT COLLATE "C" NOT NULL,
    ships_today BIGINT NOT NULL,
    decided_at  TEXT COLLATE "C" NOT NULL
);

-- Labels bought from carriers, kept so they can be printed again without buying twice.
CREATE TABLE labels (
    shipment_id BIGINT PRIMARY KEY REFERENCES shipments (id),
    carrier     TEXT COLLATE "C" NOT NULL,
    booking_id  TEXT COLLATE "C" NOT NULL,
    format      TEXT COLLATE "C" NOT NULL,
    content     BYTEA NOT NULL,
    stored_at   TEXT COLLATE "C" NOT NULL
);
