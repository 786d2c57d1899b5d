//! `shipgate worker` processes for tests that need real processes to stop or kill, and
//! the clean-up of the Redis queue they ran on.

use shipgate_shopify::sandbox::ShopifySandbox;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The configuration worker processes of one test share: a store, a queue, and one
/// Shopify connector `shop` of tenant `t` pointing at a sandbox with a request budget.
pub struct ShopWorkers<'a> {
    /// The store URL.
    pub store: &'a str,
    /// The queue URL.
    pub queue: &'a str,
    /// The queue name, unique per test.
    pub name: &'a str,
    /// The shop.
    pub sandbox: &'a ShopifySandbox,
    /// The shop's request budget.
    pub requests_per_second: f64,
    /// Requests the budget lets go at once.
    pub burst: u32,
    /// More lines for the `[queue]` table (retry delays).
    pub queue_settings: &'a str,
    /// More tables (`[rate_limit]`).
    pub tables: &'a str,
}

impl ShopWorkers<'_> {
    /// Writes `shipgate.toml` into `dir`; its path and text.
    pub fn write(&self, dir: &Path) -> (PathBuf, String) {
        let text = format!(
            r#"[store]
url = "{store}"
[queue]
url = "{queue}"
name = "{name}"
{queue_settings}
[mappings]
dir = "{mappings}"
{tables}
[[connectors]]
id = "shop"
type = "shopify"
tenant = "t"
merchant = "m"
pull_interval_secs = 3600
[connectors.shopify]
shop_url = "{shop}"
access_token = "{token}"
requests_per_second = {rate}
burst = {burst}
"#,
            store = self.store,
            queue = self.queue,
            name = self.name,
            queue_settings = self.queue_settings,
            mappings = repo("mappings").display(),
            tables = self.tables,
            shop = self.sandbox.base_url(),
            token = self.sandbox.token(),
            rate = self.requests_per_second,
            burst = self.burst,
        );
        let path = dir.join("shipgate.toml");
        std::fs::write(&path, &text).unwrap();
        (path, text)
    }
}

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
