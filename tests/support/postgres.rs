//! A PostgreSQL database of a test's own on the server `TEST_DATABASE_URL` names
//! (`./scripts/test` starts a private one and sets it), dropped when the test ends.
//! Without that variable a test fails with a message saying what to do; it never skips.

use sqlx::{AssertSqlSafe, Connection, Executor, PgConnection};

/// A database made for one test, removed when the value is dropped however the test ends.
pub struct FreshDatabase {
    /// Where the test connects: the server's URL with this database's name.
    pub url: String,
    admin_url: String,
    name: String,
}

impl FreshDatabase {
    /// Creates an empty database that sorts text by the `en-US` rules, as production
    /// databases made with a language's locale do: the store must not rely on byte order.
    pub async fn create() -> FreshDatabase {
        let admin_url = std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| {
            panic!(
                "TEST_DATABASE_URL is not set: run ./scripts/test (it starts a private \
                 PostgreSQL) or point it at a PostgreSQL where you may create databases"
            )
        });
        let name = format!("test_{}", ulid::Ulid::new().to_string().to_lowercase());
        let mut admin = PgConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to TEST_DATABASE_URL: {e}"));
        admin
            .execute(AssertSqlSafe(format!(
                "CREATE DATABASE {name} TEMPLATE template0 \
                 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'"
            )))
            .await
            .unwrap();
        admin.close().await.unwrap();
        FreshDatabase {
            url: with_database(&admin_url, &name),
            admin_url,
            name,
        }
    }
}

impl Drop for FreshDatabase {
    /// Best effort, on a thread with its own runtime: `Drop` cannot await and may run
    /// inside the test's runtime.
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let mut admin = PgConnection::connect(&admin_url).await.ok()?;
                admin
                    .execute(AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .await
                    .ok()
            })
        });
        let _ = dropped.join();
    }
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let host_start = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[host_start..]
        .find('/')
        .map_or(base.len(), |i| host_start + i);
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    format!("{}/{name}{query}", &base[..host_end])
}
