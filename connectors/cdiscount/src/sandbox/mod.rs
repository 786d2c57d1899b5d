//! Loopback sandboxes.
