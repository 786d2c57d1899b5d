-- Webhook deliveries already acted on, by the sender's delivery id: a remote retries a
-- delivery it thinks failed, and the second copy must change nothing.
CREATE TABLE webhook_receipts (
    source      TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    topic       TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (source, delivery_id)
);
