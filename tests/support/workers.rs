//! `shipgate worker` processes for tests that need real processes to stop or kill, and
//! the clean-up of the Redis queue they ran on.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A file or folder of the checkout.
pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// The Redis the test runs on; without it the test fails, it never skips.
pub fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").expect(
        "TEST_REDIS_URL is not set: run ./scripts/test, which starts a private redis-server \
         (or set it, e.g. redis://127.0.0.1:6379/6)",
    )
}

/// Starts `shipgate worker --concurrency N` on `config`, its output captured.
pub fn spawn_worker(config: &Path, concurrency: usize) -> Child {
    Command::new(env!("CARGO_BIN_EXE_shipgate"))
        .args([
            "worker",
            "--concurrency",
            &concurrency.to_string(),
            "--config",
        ])
        .arg(config)
        .env_remove("SHIPGATE_CONFIG")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// SIGTERM to every worker; their logs once they have drained and exited, each checked
/// to have exited cleanly.
pub async fn stop(workers: Vec<Child>) -> String {
    for child in &workers {
        let term = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(term.success());
    }
    let mut logs = String::new();
    for child in workers {
        let out = tokio::task::spawn_blocking(move || child.wait_with_output())
            .await
            .unwrap()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "{:?}\n{text}", out.status);
        logs.push_str(&text);
    }
    logs
}

/// Deletes a test queue's keys, jobs left over included.
pub async fn forget_queue(redis: &str, name: &str) {
    let mut conn = redis::Client::open(redis)
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("*{name}*"))
        .query_async(&mut conn)
        .await
        .unwrap();
    if !keys.is_empty() {
        redis::cmd("DEL")
            .arg(keys)
            .query_async::<()>(&mut conn)
            .await
            .unwrap();
    }
}
