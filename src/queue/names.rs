//! Worker names: unique per process and per restart (`<role>-<host>-<pid>-<n>`), because
//! apalis refuses to register a name seen within one heartbeat, and a reused name would
//! hide a crashed twin's orphaned jobs (DESIGN.md, apalis sharp edge 2).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

static NEXT: AtomicU64 = AtomicU64::new(0);

/// A name no other worker of this process has had, e.g. `worker-box1-4242-3`.
pub(super) fn worker_name(role: &str) -> String {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("{role}-{}-{}-{n}", host(), std::process::id())
}

/// The host name, read once; `localhost` when the system does not say.
fn host() -> &'static str {
    static HOST: OnceLock<String> = OnceLock::new();
    HOST.get_or_init(|| {
        let raw = std::env::var("HOSTNAME")
            .ok()
            .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
            .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
            .unwrap_or_default();
        let clean: String = raw
            .trim()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '_')
            .collect();
        if clean.is_empty() {
            "localhost".to_owned()
        } else {
            clean
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_carry_role_host_pid() {
        let a = worker_name("worker");
        let b = worker_name("worker");
        assert_ne!(a, b);
        let pid = std::process::id().to_string();
        let parts: Vec<&str> = a.split('-').collect();
        assert_eq!(parts.len(), 4, "{a}");
        assert_eq!(parts[0], "worker");
        assert_eq!(parts[2], pid);
        assert!(parts[3].parse::<u64>().is_ok());
    }
}
