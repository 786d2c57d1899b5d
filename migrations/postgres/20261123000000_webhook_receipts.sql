-- Webhook deliveries already acted on, by the sender's delivery id: a remote retries a
-- delivery it thinks failed, and the second copy must change nothing.
CREATE TABLE webhook_receipts (
    source      TEXT COLLATE "C" NOT NULL,
    delivery_id TEXT COLLATE "C" NOT NULL,
    topic       TEXT COLLATE "C" NOT NULL,
    received_at TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (source, delivery_id)
);
