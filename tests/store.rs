//! The store over real databases: every case runs on a SQLite file in a temporary
//! directory (`sqlite::<case>`) and on a PostgreSQL database of its own
//! (`postgres::<case>`).
//!
//! PostgreSQL is the server `TEST_DATABASE_URL` names (`./scripts/test` starts a private
//! one and sets it); without it the PostgreSQL cases fail, they never skip. Each case
//! creates a fresh database there and drops it when done, so cases run in parallel on
//! one server without seeing each other's rows.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use shipgate::store::{
    Effect, Lookup, NewDeadJob, NewQuarantine, QuarantineState, Store, StoreError, UpsertOutcome,
};
use shipgate_sdk::model::{
    content_hash, CarrierRef, Order, OrderStatus, Shipment, TrackingEvent, TrackingNumber,
    TrackingStatus,
};
use shipgate_sdk::Cursor;
use sqlx::{Connection, PgConnection};
use std::time::Instant;
use tempfile::TempDir;
use ulid::Ulid;

mod support {
    pub mod postgres;
}
use support::postgres::FreshDatabase;

/// Which database a case runs on.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Sqlite,
    Postgres,
}

/// A database made for one case, removed when the case ends however it ends.
enum Fresh {
    /// Held only so the directory outlives the store.
    Sqlite { _dir: TempDir },
    /// Held only so the database is dropped when the case ends.
    Postgres { _db: FreshDatabase },
}

impl Kind {
    /// A fresh empty database and its URL.
    async fn fresh(self) -> (String, Fresh) {
        match self {
            Kind::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                (url(&dir), Fresh::Sqlite { _dir: dir })
            }
            Kind::Postgres => {
                let db = FreshDatabase::create().await;
                (db.url.clone(), Fresh::Postgres { _db: db })
            }
        }
    }

    /// A store on a fresh database.
    async fn open(self) -> (Store, Fresh) {
        let (url, fresh) = self.fresh().await;
        (Store::open(&url).await.unwrap(), fresh)
    }

    /// The migration files this kind of database runs.
    fn migrations(self) -> &'static str {
        match self {
            Kind::Sqlite => concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"),
            Kind::Postgres => concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres"),
        }
    }
}

fn url(dir: &TempDir) -> String {
    format!("sqlite://{}", dir.path().join("shipgate.db").display())
}

fn time(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// A valid order of tenant `acme`, built from JSON as a connector's mapping would.
fn order(connector: &str, external_id: &str, number: Option<&str>, updated_at: &str) -> Order {
    serde_json::from_value(json!({
        "id": Ulid::new().to_string(),
        "tenant": "acme",
        "merchant": "mugs-r-us",
        "source": {
            "channel": "shopify",
            "connector_id": connector,
            "external_id": external_id,
            "external_number": number,
        },
        "created_at": "2025-03-01T10:00:00Z",
        "updated_at": updated_at,
        "status": "open",
        "total": { "amount": "20.00", "currency": "EUR" },
        "lines": [{
            "sku": "MUG-1",
            "title": "Mug",
            "quantity": 2,
            "unit_price": { "amount": "10.00", "currency": "EUR" },
            "requires_shipping": true,
        }],
        "ship_to": { "name": "Ada", "city": "Lyon", "country": "FR" },
        "payment": { "kind": "prepaid" },
        "raw_hash": content_hash(external_id.as_bytes()),
    }))
    .unwrap()
}

fn shipment(number: &str) -> Shipment {
    Shipment {
        tracking_number: TrackingNumber::parse(number).unwrap(),
        carrier: CarrierRef::new(Some("ups".into()), "UPS"),
        tracking_url: Some(format!("https://ups.example/track/{number}")),
        shipped_at: Some(time("2025-03-02T08:30:00.123456Z")),
        notify_customer: true,
    }
}

fn event(number: &str, status: TrackingStatus, code: &str, at: &str) -> TrackingEvent {
    TrackingEvent {
        tracking_number: TrackingNumber::parse(number).unwrap(),
        status,
        carrier_code: code.into(),
        description: format!("carrier says {code}"),
        location: Some("Lyon".into()),
        occurred_at: time(at),
    }
}

async fn data_survives_reopening_and_migrations_run_once(kind: Kind) {
    let (url, _db) = kind.fresh().await;
    let store = Store::open(&url).await.unwrap();
    let o = order(
        "shop-1",
        "gid://shopify/Order/1",
        Some("#1001"),
        "2025-03-01T10:00:00Z",
    );
    let id = store.upsert_order(&o).await.unwrap().id;
    let hash = store
        .put_raw("shop-1", "application/json", b"{}")
        .await
        .unwrap();
    store.pool().close().await;
    drop(store);

    for _ in 0..2 {
        let store = Store::open(&url).await.unwrap();
        let back = store
            .get_order(id)
            .await
            .unwrap()
            .expect("order survives reopening");
        assert_eq!(back, o);
        assert!(store.get_raw(&hash).await.unwrap().is_some());
        let (applied,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM _shipgate_store_migrations WHERE success")
                .fetch_one(store.pool())
                .await
                .unwrap();
        let files = std::fs::read_dir(kind.migrations()).unwrap().count() as i64;
        assert_eq!(applied, files, "each migration is applied exactly once");
        store.pool().close().await;
    }
}

/// Stored text sorts byte by byte on both databases, as times stored as text must (the
/// stale-version check and the due-parcel order rely on it). The PostgreSQL cases run in
/// databases whose own collation is a linguistic one (`en-US`, where "bad" sorts before
/// "Missing"), so this fails there unless the schema asks for byte order.
async fn text_sorts_byte_wise(kind: Kind) {
    let (store, _db) = kind.open().await;
    for reason in ["bad date", "Missing SKU"] {
        store
            .quarantine(&NewQuarantine {
                connector_id: "csv-1".into(),
                kind: "csv_row".into(),
                input: reason.as_bytes().to_vec(),
                location: "line 2".into(),
                reason: reason.into(),
                raw_hash: None,
            })
            .await
            .unwrap();
    }
    assert_eq!(
        store.quarantine_counts().await.unwrap(),
        vec![("Missing SKU".to_owned(), 1), ("bad date".to_owned(), 1)]
    );
}

// SQLite-only: journal modes, in-memory databases, file paths and the embedded queue's
// tables sharing the store's file exist only there.

#[tokio::test]
async fn sqlite_files_run_in_wal_mode_with_foreign_keys() {
    let (store, _db) = Kind::Sqlite.open().await;
    let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode")
        .fetch_one(store.pool())
        .await
        .unwrap();
    let (sync,): (i64,) = sqlx::query_as("PRAGMA synchronous")
        .fetch_one(store.pool())
        .await
        .unwrap();
    let (keys,): (i64,) = sqlx::query_as("PRAGMA foreign_keys")
        .fetch_one(store.pool())
        .await
        .unwrap();
    let (busy,): (i64,) = sqlx::query_as("PRAGMA busy_timeout")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!((mode.as_str(), sync, keys, busy), ("wal", 2, 1, 5000));
}

#[tokio::test]
async fn store_and_queue_migrations_share_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let url = url(&dir);
    // The queue keeps a pool of its own on the same file, as `shipgate::queue` does.
    let queue_pool = || async { sqlx::SqlitePool::connect(&url).await.unwrap() };
    let store = Store::open(&url).await.unwrap();
    let queue = queue_pool().await;
    apalis_sqlite::SqliteStorage::migrations()
        .run(&queue)
        .await
        .unwrap();
    queue.close().await;
    store.pool().close().await;
    let store = Store::open(&url).await.unwrap();
    let queue = queue_pool().await;
    apalis_sqlite::SqliteStorage::migrations()
        .run(&queue)
        .await
        .unwrap();
    assert_eq!(store.count_orders("acme").await.unwrap(), 0);
}

#[tokio::test]
async fn in_memory_store_keeps_data_between_calls() {
    let store = Store::open("sqlite::memory:").await.unwrap();
    store
        .save_cursor("shop-1", &Cursor::default())
        .await
        .unwrap();
    assert_eq!(
        store.load_cursor("shop-1").await.unwrap(),
        Some(Cursor::default())
    );
}

#[tokio::test]
async fn an_unusable_url_is_an_open_error() {
    let err = Store::open("sqlite:///nonexistent-dir/for/sure/x.db")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Open { .. }), "{err:?}");
    assert!(err.to_string().contains("x.db"), "{err}");
}

#[tokio::test]
async fn an_unknown_scheme_is_an_open_error() {
    let err = Store::open("mysql://localhost/shipgate").await.unwrap_err();
    assert!(matches!(err, StoreError::Open { .. }), "{err:?}");
    assert!(
        err.to_string().contains("sqlite:// or postgres://"),
        "{err}"
    );
}

#[tokio::test]
async fn an_unreachable_postgres_is_an_open_error_without_the_password() {
    let err = Store::open("postgres://shipgate:s3cret-pw@127.0.0.1:1/shipgate")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Open { .. }), "{err:?}");
    assert!(!err.to_string().contains("s3cret-pw"), "{err}");
    assert!(!format!("{err:?}").contains("s3cret-pw"), "{err:?}");
}

/// A PostgreSQL restart or failover drops every connection of the store at once: the
/// pool checks each connection before handing it out and replaces the dead ones, so the
/// next operations succeed and nothing committed before is lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_connections_killed_mid_run_are_replaced() {
    let (url, _db) = Kind::Postgres.fresh().await;
    let store = Store::open(&url).await.unwrap();
    let first: Vec<Order> = (0..50)
        .map(|i| {
            order(
                "shop-1",
                &format!("before-{i}"),
                None,
                "2025-03-01T10:00:00Z",
            )
        })
        .collect();
    // Several operations at once, so the pool holds several connections to kill.
    let writes = first.chunks(10).map(|chunk| store.upsert_orders(chunk));
    let before: Vec<Ulid> = futures::future::try_join_all(writes)
        .await
        .unwrap()
        .into_iter()
        .flatten()
        .map(|u| u.id)
        .collect();
    let key = "fulfillment:before";
    assert_eq!(
        store.begin_effect(key, "fulfillment").await.unwrap(),
        Effect::Fresh
    );

    let mut admin = PgConnection::connect(&url).await.unwrap();
    let killed: Vec<(bool,)> = sqlx::query_as(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .fetch_all(&mut admin)
    .await
    .unwrap();
    assert!(!killed.is_empty(), "the store had connections to kill");
    assert!(killed.iter().all(|(ok,)| *ok), "{killed:?}");
    // Termination is asynchronous: wait until the server has really let them go.
    let deadline = Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let (left,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .fetch_one(&mut admin)
        .await
        .unwrap();
        if left == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "{left} connections survived");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    admin.close().await.unwrap();

    let second: Vec<Order> = (0..50)
        .map(|i| {
            order(
                "shop-1",
                &format!("after-{i}"),
                None,
                "2025-03-01T10:00:00Z",
            )
        })
        .collect();
    let writes = second.chunks(10).map(|chunk| store.upsert_orders(chunk));
    let after = futures::future::try_join_all(writes).await.unwrap();
    assert!(after
        .iter()
        .flatten()
        .all(|u| u.outcome == UpsertOutcome::Created));
    assert_eq!(store.count_orders("acme").await.unwrap(), 100);
    for (id, o) in before.iter().zip(&first) {
        assert_eq!(store.get_order(*id).await.unwrap().as_ref(), Some(o));
    }
    assert_eq!(
        store.begin_effect(key, "fulfillment").await.unwrap(),
        Effect::Pending
    );
    store
        .complete_effect(key, "gid://shopify/Fulfillment/1")
        .await
        .unwrap();
    assert_eq!(store.count_effects("fulfillment").await.unwrap(), 1);
}

async fn raw_payloads_are_keyed_by_content_hash(kind: Kind) {
    let (store, _db) = kind.open().await;
    let body = b"{\"id\": 1, \"note\": \"\xff\xfe\"}";
    let hash = store
        .put_raw("shop-1", "application/json", body)
        .await
        .unwrap();
    assert_eq!(hash, content_hash(body));
    let again = store.put_raw("shop-2", "text/plain", body).await.unwrap();
    assert_eq!(again, hash);
    let raw = store.get_raw(&hash).await.unwrap().unwrap();
    assert_eq!(raw.body.as_deref(), Some(&body[..]));
    assert_eq!(raw.path, None);
    assert_eq!(raw.size, body.len() as u64);
    assert_eq!(raw.connector_id, "shop-1", "the first receipt is kept");
    assert_eq!(raw.content_type, "application/json");
    assert!(Utc::now() - raw.received_at < Duration::minutes(1));

    let file_hash = content_hash(b"big file");
    store
        .put_raw_file("csv-1", "text/csv", &file_hash, "/drops/big.csv", 8)
        .await
        .unwrap();
    let raw = store.get_raw(&file_hash).await.unwrap().unwrap();
    assert_eq!(
        (raw.body, raw.path.as_deref(), raw.size),
        (None, Some("/drops/big.csv"), 8)
    );

    let err = store
        .put_raw_file("csv-1", "text/csv", "ABC", "/x.csv", 1)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Invalid {
                what: "content hash",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        store.get_raw(&content_hash(b"never stored")).await.unwrap(),
        None
    );
}

async fn upsert_keeps_the_first_id_and_refuses_stale_versions(kind: Kind) {
    let (store, _db) = kind.open().await;
    let v1 = order(
        "shop-1",
        "gid://shopify/Order/1",
        Some("#1001"),
        "2025-03-01T10:00:00Z",
    );
    let first = store.upsert_order(&v1).await.unwrap();
    assert_eq!(first.outcome, UpsertOutcome::Created);
    assert_eq!(first.id, v1.id);

    let mut again = v1.clone();
    again.id = Ulid::new();
    let up = store.upsert_order(&again).await.unwrap();
    assert_eq!((up.id, up.outcome), (v1.id, UpsertOutcome::Unchanged));

    let mut v2 = order(
        "shop-1",
        "gid://shopify/Order/1",
        Some("#1001"),
        "2025-03-01T12:00:00Z",
    );
    v2.lines[0].quantity = 3;
    let up = store.upsert_order(&v2).await.unwrap();
    assert_eq!((up.id, up.outcome), (v1.id, UpsertOutcome::Updated));

    let mut old = v1.clone();
    old.lines[0].quantity = 7;
    old.updated_at = time("2025-03-01T11:00:00Z");
    let up = store.upsert_order(&old).await.unwrap();
    assert_eq!((up.id, up.outcome), (v1.id, UpsertOutcome::Stale));

    let stored = store.get_order(v1.id).await.unwrap().unwrap();
    assert_eq!(
        stored.lines[0].quantity, 3,
        "the stale version was not written"
    );
    assert_eq!(stored.updated_at, v2.updated_at);
    assert_eq!(stored.id, v1.id);
    assert_eq!(
        store.get_order(v2.id).await.unwrap(),
        None,
        "the second id was never stored"
    );
    assert_eq!(store.count_orders("acme").await.unwrap(), 1);
}

async fn pipeline_status_survives_redelivery_but_not_a_newer_version(kind: Kind) {
    let (store, _db) = kind.open().await;
    let v1 = order(
        "shop-1",
        "gid://shopify/Order/1",
        Some("#1001"),
        "2025-03-01T10:00:00Z",
    );
    let id = store.upsert_order(&v1).await.unwrap().id;
    store
        .set_order_status(id, OrderStatus::Fulfilled)
        .await
        .unwrap();
    assert_eq!(
        store.get_order(id).await.unwrap().unwrap().status,
        OrderStatus::Fulfilled
    );

    let up = store.upsert_order(&v1).await.unwrap();
    assert_eq!(up.outcome, UpsertOutcome::Unchanged);
    assert_eq!(
        store.get_order(id).await.unwrap().unwrap().status,
        OrderStatus::Fulfilled
    );

    let mut cancelled = order(
        "shop-1",
        "gid://shopify/Order/1",
        Some("#1001"),
        "2025-03-02T10:00:00Z",
    );
    cancelled.status = OrderStatus::Cancelled;
    assert_eq!(
        store.upsert_order(&cancelled).await.unwrap().outcome,
        UpsertOutcome::Updated
    );
    assert_eq!(
        store.get_order(id).await.unwrap().unwrap().status,
        OrderStatus::Cancelled
    );

    let err = store
        .set_order_status(Ulid::new(), OrderStatus::Open)
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::NotFound { what: "order", .. }),
        "{err:?}"
    );
}

async fn concurrent_upserts_of_one_source_order_agree_on_its_id(kind: Kind) {
    let (store, _db) = kind.open().await;
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            let o = order(
                "shop-1",
                "gid://shopify/Order/1",
                Some("#1001"),
                "2025-03-01T10:00:00Z",
            );
            tokio::spawn(async move { store.upsert_order(&o).await })
        })
        .collect();
    let mut ids = Vec::new();
    let mut created = 0;
    for task in tasks {
        let up = task.await.unwrap().unwrap();
        ids.push(up.id);
        if up.outcome == UpsertOutcome::Created {
            created += 1;
        } else {
            assert_eq!(up.outcome, UpsertOutcome::Unchanged);
        }
    }
    assert_eq!(created, 1);
    ids.dedup();
    assert_eq!(ids.len(), 1, "every caller sees the first id");
    assert_eq!(store.count_orders("acme").await.unwrap(), 1);
}

async fn external_ids_are_unique_per_connector_not_globally(kind: Kind) {
    let (store, _db) = kind.open().await;
    let a = order("shop-1", "1", Some("#1001"), "2025-03-01T10:00:00Z");
    let b = order("shop-2", "1", Some("#1001"), "2025-03-01T10:00:00Z");
    let ua = store.upsert_order(&a).await.unwrap();
    let ub = store.upsert_order(&b).await.unwrap();
    assert_eq!(
        (ua.outcome, ub.outcome),
        (UpsertOutcome::Created, UpsertOutcome::Created)
    );
    assert_ne!(ua.id, ub.id);
    let mut other_tenant = order("shop-1", "1", Some("#1001"), "2025-03-01T10:00:00Z");
    other_tenant.tenant = "globex".into();
    assert_eq!(
        store.upsert_order(&other_tenant).await.unwrap().outcome,
        UpsertOutcome::Created
    );
    assert_eq!(store.count_orders("acme").await.unwrap(), 2);
    assert_eq!(store.count_orders("globex").await.unwrap(), 1);
}

async fn batch_upsert_reports_each_outcome_in_one_transaction(kind: Kind) {
    let (store, _db) = kind.open().await;
    let a = order("shop-1", "A", None, "2025-03-01T10:00:00Z");
    store.upsert_order(&a).await.unwrap();
    let mut a_old = a.clone();
    a_old.updated_at = time("2025-02-01T10:00:00Z");
    let b = order("shop-1", "B", None, "2025-03-01T10:00:00Z");
    let b2 = order("shop-1", "B", None, "2025-03-01T11:00:00Z");
    let done = store
        .upsert_orders(&[a.clone(), a_old, b.clone(), b2])
        .await
        .unwrap();
    let outcomes: Vec<_> = done.iter().map(|u| u.outcome).collect();
    assert_eq!(
        outcomes,
        [
            UpsertOutcome::Unchanged,
            UpsertOutcome::Stale,
            UpsertOutcome::Created,
            UpsertOutcome::Updated
        ]
    );
    assert_eq!(done[3].id, b.id);
    assert_eq!(store.count_orders("acme").await.unwrap(), 2);
}

async fn find_order_by_number_with_or_without_hash_or_by_external_id(kind: Kind) {
    let (store, _db) = kind.open().await;
    let o = order(
        "shop-1",
        "gid://shopify/Order/450789469",
        Some("#1001"),
        "2025-03-01T10:00:00Z",
    );
    store.upsert_order(&o).await.unwrap();
    for reference in ["#1001", "1001", " 1001 ", "gid://shopify/Order/450789469"] {
        let found = store.find_order("acme", None, reference).await.unwrap();
        assert_eq!(found.map(|f| f.id), Some(o.id), "reference {reference:?}");
    }
    assert_eq!(
        store
            .find_order("acme", Some("shop-1"), "1001")
            .await
            .unwrap()
            .map(|f| f.id),
        Some(o.id)
    );
    assert_eq!(
        store
            .find_order("acme", Some("shop-2"), "1001")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store.find_order("globex", None, "1001").await.unwrap(),
        None
    );
    assert_eq!(store.find_order("acme", None, "1002").await.unwrap(), None);
    assert_eq!(store.find_order("acme", None, "  ").await.unwrap(), None);
    assert_eq!(store.find_order("acme", None, "#").await.unwrap(), None);

    let bare = order("csv-1", "E-9", Some("2002"), "2025-03-01T10:00:00Z");
    store.upsert_order(&bare).await.unwrap();
    assert_eq!(
        store
            .find_order("acme", None, "#2002")
            .await
            .unwrap()
            .map(|f| f.id),
        Some(bare.id)
    );
}

async fn a_number_on_two_shops_is_ambiguous_until_narrowed(kind: Kind) {
    let (store, _db) = kind.open().await;
    let a = order(
        "shop-1",
        "gid://shopify/Order/1",
        Some("#1001"),
        "2025-03-01T10:00:00Z",
    );
    let b = order(
        "shop-2",
        "gid://shopify/Order/2",
        Some("#1001"),
        "2025-03-01T10:00:00Z",
    );
    store.upsert_orders(&[a.clone(), b.clone()]).await.unwrap();
    match store.find_order("acme", None, "1001").await {
        Err(StoreError::Ambiguous {
            reference,
            mut matches,
        }) => {
            assert_eq!(reference, "1001");
            matches.sort();
            let mut expected = vec![a.id, b.id];
            expected.sort();
            assert_eq!(matches, expected);
        }
        other => panic!("expected Ambiguous, got {other:?}"),
    }
    assert_eq!(
        store
            .find_order("acme", Some("shop-2"), "#1001")
            .await
            .unwrap()
            .map(|o| o.id),
        Some(b.id)
    );
}

async fn batch_lookup_answers_each_reference_as_given(kind: Kind) {
    let (store, _db) = kind.open().await;
    let orders: Vec<Order> = (0..700)
        .map(|i| {
            order(
                "shop-1",
                &format!("gid://shopify/Order/{i}"),
                Some(&format!("#{}", 1000 + i)),
                "2025-03-01T10:00:00Z",
            )
        })
        .collect();
    store.upsert_orders(&orders).await.unwrap();
    let twin = order(
        "shop-2",
        "gid://shopify/Order/x",
        Some("#1005"),
        "2025-03-01T10:00:00Z",
    );
    store.upsert_order(&twin).await.unwrap();

    let mut refs: Vec<String> = (0..700).map(|i| (1000 + i).to_string()).collect();
    refs.push("gid://shopify/Order/3".into());
    refs.push("#9999".into());
    let refs: Vec<&str> = refs.iter().map(String::as_str).collect();
    let found = store
        .find_orders_by_refs("acme", None, &refs)
        .await
        .unwrap();
    assert_eq!(found.len(), 701, "every reference but #9999 answers");
    assert_eq!(
        found.get("1000"),
        Some(&Lookup::Found(Box::new(orders[0].clone())))
    );
    assert_eq!(
        found.get("1699"),
        Some(&Lookup::Found(Box::new(orders[699].clone())))
    );
    assert_eq!(
        found.get("gid://shopify/Order/3"),
        Some(&Lookup::Found(Box::new(orders[3].clone())))
    );
    assert!(matches!(found.get("1005"), Some(Lookup::Ambiguous(ids)) if ids.len() == 2));
    assert!(!found.contains_key("#9999"));

    let narrowed = store
        .find_orders_by_refs("acme", Some("shop-1"), &["1005"])
        .await
        .unwrap();
    assert_eq!(
        narrowed.get("1005"),
        Some(&Lookup::Found(Box::new(orders[5].clone())))
    );
}

async fn cursors_are_saved_per_connector(kind: Kind) {
    let (store, _db) = kind.open().await;
    assert_eq!(store.load_cursor("shop-1").await.unwrap(), None);
    let c1 = Cursor {
        updated_since: Some(time("2025-03-01T10:00:00Z")),
        page_token: Some("p2".into()),
    };
    store.save_cursor("shop-1", &c1).await.unwrap();
    let c2 = Cursor {
        updated_since: Some(time("2025-03-01T11:00:00Z")),
        page_token: None,
    };
    store.save_cursor("shop-1", &c2).await.unwrap();
    store.save_cursor("shop-2", &c1).await.unwrap();
    assert_eq!(store.load_cursor("shop-1").await.unwrap(), Some(c2));
    assert_eq!(store.load_cursor("shop-2").await.unwrap(), Some(c1));
}

async fn quarantine_keeps_input_bytes_exactly_and_tracks_state(kind: Kind) {
    let (store, _db) = kind.open().await;
    let bytes = vec![b'a', 0xff, 0x00, 0xc3, 0x28, b'\n', 0xfe];
    let raw_hash = store.put_raw("csv-1", "text/csv", &bytes).await.unwrap();
    let q = NewQuarantine {
        connector_id: "csv-1".into(),
        kind: "csv_row".into(),
        input: bytes.clone(),
        location: "line 12, column 4".into(),
        reason: "invalid UTF-8".into(),
        raw_hash: Some(raw_hash.clone()),
    };
    let id = store.quarantine(&q).await.unwrap();
    let second = store
        .quarantine(&NewQuarantine {
            input: b"x".to_vec(),
            raw_hash: None,
            ..q.clone()
        })
        .await
        .unwrap();
    let third = store
        .quarantine(&NewQuarantine {
            reason: "missing field lines".into(),
            location: "line 13, column 4".into(),
            ..q.clone()
        })
        .await
        .unwrap();
    assert_eq!(
        store.quarantine(&q).await.unwrap(),
        id,
        "the same input refused at the same place is kept once while open"
    );

    let items = store
        .list_quarantine(Some(QuarantineState::Open), 10)
        .await
        .unwrap();
    assert_eq!(
        items.iter().map(|i| i.id).collect::<Vec<_>>(),
        [id, second, third]
    );
    let item = &items[0];
    assert_eq!(item.input, bytes);
    assert_eq!(
        (
            item.connector_id.as_str(),
            item.kind.as_str(),
            item.location.as_str(),
            item.reason.as_str()
        ),
        ("csv-1", "csv_row", "line 12, column 4", "invalid UTF-8")
    );
    assert_eq!(item.raw_hash.as_deref(), Some(raw_hash.as_str()));
    assert_eq!(item.state, QuarantineState::Open);
    assert_eq!(
        store.list_quarantine(None, 2).await.unwrap().len(),
        2,
        "limit holds"
    );

    assert_eq!(
        store.quarantine_counts().await.unwrap(),
        [
            ("invalid UTF-8".to_string(), 2),
            ("missing field lines".to_string(), 1)
        ]
    );

    store
        .set_quarantine_state(id, QuarantineState::Replayed)
        .await
        .unwrap();
    store
        .set_quarantine_state(second, QuarantineState::Discarded)
        .await
        .unwrap();
    let replayed = store
        .list_quarantine(Some(QuarantineState::Replayed), 10)
        .await
        .unwrap();
    assert_eq!(replayed.len(), 1);
    assert_eq!(replayed[0].id, id);
    assert!(replayed[0].state_changed_at >= replayed[0].created_at);
    assert_eq!(
        store
            .list_quarantine(Some(QuarantineState::Open), 10)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(store.list_quarantine(None, 10).await.unwrap().len(), 3);
    assert_eq!(
        store.quarantine_counts().await.unwrap(),
        [("missing field lines".to_string(), 1)]
    );
    assert_ne!(
        store.quarantine(&q).await.unwrap(),
        id,
        "once replayed, the same input failing again is a new item"
    );

    let err = store
        .set_quarantine_state(9999, QuarantineState::Open)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
}

/// Identical quarantine inserts racing each other keep one open row: on PostgreSQL
/// (READ COMMITTED) an insert guarded by `WHERE NOT EXISTS` alone let two of them in.
/// The input is larger than a B-tree index entry may be, as a quarantined order payload
/// often is.
async fn concurrent_identical_quarantines_keep_one_open_row(kind: Kind) {
    const ROUNDS: usize = 25;
    const CALLERS: usize = 8;
    let (store, _db) = kind.open().await;
    for round in 0..ROUNDS {
        let mut input = format!("order payload of round {round}: ").into_bytes();
        input.resize(10_000, b'x');
        let q = NewQuarantine {
            connector_id: "shop-1".into(),
            kind: "order".into(),
            input,
            location: format!("orders[{round}].lines[0].sku"),
            reason: "missing sku".into(),
            raw_hash: None,
        };
        let start = std::sync::Arc::new(tokio::sync::Barrier::new(CALLERS));
        let tasks: Vec<_> = (0..CALLERS)
            .map(|_| {
                let (store, q, start) = (store.clone(), q.clone(), start.clone());
                tokio::spawn(async move {
                    start.wait().await;
                    store.quarantine(&q).await
                })
            })
            .collect();
        let mut ids = Vec::new();
        for task in tasks {
            ids.push(task.await.unwrap().unwrap());
        }
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(
            ids.len(),
            1,
            "round {round}: every caller gets the one item"
        );
    }
    let open = store
        .list_quarantine(Some(QuarantineState::Open), 1000)
        .await
        .unwrap();
    assert_eq!(open.len(), ROUNDS, "one open row per input");
}

async fn a_duplicate_shipment_returns_the_existing_one(kind: Kind) {
    let (store, _db) = kind.open().await;
    let o = order(
        "shop-1",
        "gid://shopify/Order/1",
        Some("#1001"),
        "2025-03-01T10:00:00Z",
    );
    let order_id = store.upsert_order(&o).await.unwrap().id;
    let s = shipment("1Z999AA10123456784");
    let (id, created) = store.add_shipment(order_id, &s).await.unwrap();
    assert!(created);
    let typed_again = shipment(" 1z999aa1 0123456784 ");
    assert_eq!(
        store.add_shipment(order_id, &typed_again).await.unwrap(),
        (id, false)
    );
    assert_eq!(
        store.get_shipment(id).await.unwrap(),
        Some((order_id, s.clone()))
    );
    assert_eq!(store.get_shipment(id + 100).await.unwrap(), None);

    let (other, created) = store
        .add_shipment(order_id, &shipment("JJD0099999999"))
        .await
        .unwrap();
    assert!(created);
    assert_ne!(other, id);
    let all = store.order_shipments(order_id).await.unwrap();
    assert_eq!(all.iter().map(|(i, _)| *i).collect::<Vec<_>>(), [id, other]);

    let err = store.add_shipment(Ulid::new(), &s).await.unwrap_err();
    assert!(
        matches!(err, StoreError::NotFound { what: "order", .. }),
        "{err:?}"
    );
}

async fn batch_shipments_dedupe_within_and_across_batches(kind: Kind) {
    let (store, _db) = kind.open().await;
    let o = order(
        "shop-1",
        "gid://shopify/Order/1",
        Some("#1001"),
        "2025-03-01T10:00:00Z",
    );
    let id = store.upsert_order(&o).await.unwrap().id;
    let (existing, _) = store.add_shipment(id, &shipment("AAAA1111")).await.unwrap();
    let done = store
        .add_shipments(&[
            (id, shipment("AAAA1111")),
            (id, shipment("BBBB2222")),
            (id, shipment("bbbb2222")),
        ])
        .await
        .unwrap();
    assert_eq!(done[0], (existing, false));
    assert!(done[1].1);
    assert_eq!(done[2], (done[1].0, false));

    let err = store
        .add_shipments(&[
            (id, shipment("CCCC3333")),
            (Ulid::new(), shipment("DDDD4444")),
        ])
        .await;
    assert!(err.is_err());
    assert_eq!(
        store.order_shipments(id).await.unwrap().len(),
        2,
        "a failed batch records nothing"
    );
}

async fn effects_go_fresh_then_pending_then_done(kind: Kind) {
    let (store, _db) = kind.open().await;
    assert_eq!(
        store
            .begin_effect("push:o1:AAAA1111", "fulfillment")
            .await
            .unwrap(),
        Effect::Fresh
    );
    assert_eq!(
        store
            .begin_effect("push:o1:AAAA1111", "fulfillment")
            .await
            .unwrap(),
        Effect::Pending
    );
    assert_eq!(
        store.count_effects("fulfillment").await.unwrap(),
        0,
        "pending effects are not counted"
    );
    store
        .complete_effect("push:o1:AAAA1111", "gid://shopify/Fulfillment/9")
        .await
        .unwrap();
    assert_eq!(
        store
            .begin_effect("push:o1:AAAA1111", "fulfillment")
            .await
            .unwrap(),
        Effect::Done("gid://shopify/Fulfillment/9".into())
    );
    store
        .complete_effect("push:o1:AAAA1111", "gid://shopify/Fulfillment/9")
        .await
        .unwrap();
    assert_eq!(store.count_effects("fulfillment").await.unwrap(), 1);
    assert_eq!(store.count_effects("label").await.unwrap(), 0);

    let err = store
        .complete_effect("push:o1:AAAA1111", "gid://shopify/Fulfillment/10")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::EffectConflict { .. }), "{err:?}");
    let err = store
        .begin_effect("push:o1:AAAA1111", "label")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::EffectConflict { .. }), "{err:?}");
    let err = store.complete_effect("never-begun", "x").await.unwrap_err();
    assert!(
        matches!(err, StoreError::NotFound { what: "effect", .. }),
        "{err:?}"
    );
}

async fn exactly_one_of_eight_concurrent_callers_gets_fresh(kind: Kind) {
    let (store, _db) = kind.open().await;
    for round in 0..5 {
        let key = format!("book:order-{round}");
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let store = store.clone();
                let key = key.clone();
                tokio::spawn(async move { store.begin_effect(&key, "label").await })
            })
            .collect();
        let mut fresh = 0;
        for task in tasks {
            match task.await.unwrap().unwrap() {
                Effect::Fresh => fresh += 1,
                Effect::Pending => {}
                Effect::Done(r) => panic!("nothing completed, got Done({r})"),
            }
        }
        assert_eq!(fresh, 1, "round {round}");
    }
}

async fn tracking_events_are_kept_once(kind: Kind) {
    let (store, _db) = kind.open().await;
    let o = order(
        "shop-1",
        "gid://shopify/Order/1",
        Some("#1001"),
        "2025-03-01T10:00:00Z",
    );
    let id = store.upsert_order(&o).await.unwrap().id;
    let picked = event(
        "1Z999AA10123456784",
        TrackingStatus::InTransit,
        "I",
        "2025-03-02T09:00:00Z",
    );
    let delivered = event(
        "1Z999AA10123456784",
        TrackingStatus::Delivered,
        "D",
        "2025-03-03T15:00:00Z",
    );
    assert!(store
        .add_tracking_event(Some(id), &delivered)
        .await
        .unwrap());
    assert!(store.add_tracking_event(Some(id), &picked).await.unwrap());
    assert!(!store.add_tracking_event(Some(id), &picked).await.unwrap());
    assert!(
        !store.add_tracking_event(None, &picked).await.unwrap(),
        "same event without an order"
    );
    let mut other_code = picked.clone();
    other_code.carrier_code = "OR".into();
    assert!(store.add_tracking_event(None, &other_code).await.unwrap());

    let returned = event(
        "1Z999AA10123456784",
        TrackingStatus::Returned,
        "RS",
        "2025-03-09T15:00:00Z",
    );
    let err = store
        .add_tracking_event(Some(Ulid::new()), &returned)
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::NotFound { what: "order", .. }),
        "{err:?}"
    );

    let history = store
        .tracking_events(&picked.tracking_number)
        .await
        .unwrap();
    assert_eq!(history, [picked.clone(), other_code, delivered]);
    assert!(store
        .tracking_events(&TrackingNumber::parse("ZZZZ0000").unwrap())
        .await
        .unwrap()
        .is_empty());
}

async fn audit_entries_are_listed_per_subject_in_order(kind: Kind) {
    let (store, _db) = kind.open().await;
    store
        .audit(
            "admin",
            "order.status_set",
            "order:1",
            &json!({ "field": "status" }),
        )
        .await
        .unwrap();
    store
        .audit(
            "system",
            "quarantine.replayed",
            "quarantine:7",
            &json!(null),
        )
        .await
        .unwrap();
    store
        .audit(
            "worker-1",
            "order.address_fixed",
            "order:1",
            &json!({ "fields": ["ship_to.line1"] }),
        )
        .await
        .unwrap();
    let entries = store.audit_entries("order:1").await.unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(
        (entries[0].actor.as_str(), entries[0].action.as_str()),
        ("admin", "order.status_set")
    );
    assert_eq!(entries[1].detail, json!({ "fields": ["ship_to.line1"] }));
    assert!(entries[0].id < entries[1].id);
    assert!(entries[0].at <= entries[1].at);
    assert!(entries.iter().all(|e| e.subject == "order:1"));
    assert!(store.audit_entries("order:2").await.unwrap().is_empty());
}

async fn an_audited_upsert_writes_one_entry_per_call_naming_fields_not_values(kind: Kind) {
    let (store, _db) = kind.open().await;
    let first = order(
        "shop-1",
        "gid://shopify/Order/1",
        Some("#1001"),
        "2026-05-01T10:00:00Z",
    );
    let created = store
        .upsert_order_audited(&first, "pipeline")
        .await
        .unwrap();
    let again = store
        .upsert_order_audited(&first, "pipeline")
        .await
        .unwrap();
    assert_eq!(created.id, again.id);
    let entries = store
        .audit_entries(&format!("order:{}", created.id))
        .await
        .unwrap();
    let seen: Vec<_> = entries
        .iter()
        .map(|e| {
            (
                e.actor.as_str(),
                e.action.as_str(),
                e.detail["outcome"].clone(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            (
                "pipeline",
                "order.upsert",
                json!(format!("{:?}", created.outcome))
            ),
            (
                "pipeline",
                "order.upsert",
                json!(format!("{:?}", again.outcome))
            ),
        ]
    );
    assert_ne!(created.outcome, again.outcome);
    let logged =
        serde_json::to_string(&entries.iter().map(|e| &e.detail).collect::<Vec<_>>()).unwrap();
    let buyer = serde_json::to_value(&first.ship_to).unwrap();
    for value in buyer
        .as_object()
        .unwrap()
        .values()
        .filter_map(|v| v.as_str())
    {
        assert!(
            !value.is_empty() && !logged.contains(value),
            "{value} in {logged}"
        );
    }
}

async fn dead_jobs_are_listed_taken_and_purged(kind: Kind) {
    let (store, _db) = kind.open().await;
    let job = |n: u32| NewDeadJob {
        job_id: format!("job-{n}"),
        job_type: "PushBack".into(),
        payload: json!({ "order_id": n }),
        attempts: n,
        last_error: format!("HTTP 422 #{n}"),
    };
    let first = store.record_dead(&job(1)).await.unwrap();
    let second = store.record_dead(&job(2)).await.unwrap();
    store.record_dead(&job(3)).await.unwrap();

    let listed = store.list_dead(2).await.unwrap();
    assert_eq!(
        listed.iter().map(|d| d.id).collect::<Vec<_>>(),
        [first, second]
    );
    assert_eq!(listed[1].payload, json!({ "order_id": 2 }));
    assert_eq!(
        (listed[1].attempts, listed[1].last_error.as_str()),
        (2, "HTTP 422 #2")
    );

    let taken = store.take_dead(first).await.unwrap().unwrap();
    assert_eq!(
        (taken.job_id.as_str(), taken.job_type.as_str()),
        ("job-1", "PushBack")
    );
    assert_eq!(store.take_dead(first).await.unwrap(), None, "taken once");
    assert_eq!(store.list_dead(10).await.unwrap().len(), 2);
    assert_eq!(store.purge_dead().await.unwrap(), 2);
    assert!(store.list_dead(10).await.unwrap().is_empty());
}

/// Throughput of the supplier-file path: look up orders by number in batches, then
/// record their shipments in batches. Prints rows/s; asserts only correctness.
async fn supplier_file_throughput(kind: Kind) {
    const ROWS: usize = 20_000;
    const BATCH: usize = 2_000;
    let (store, _db) = kind.open().await;
    let orders: Vec<Order> = (0..ROWS)
        .map(|i| {
            order(
                "shop-1",
                &format!("gid://shopify/Order/{i}"),
                Some(&format!("#{}", 10_000 + i)),
                "2025-03-01T10:00:00Z",
            )
        })
        .collect();
    let started = Instant::now();
    for chunk in orders.chunks(BATCH) {
        store.upsert_orders(chunk).await.unwrap();
    }
    let upsert_rate = ROWS as f64 / started.elapsed().as_secs_f64();

    let numbers: Vec<String> = (0..ROWS).map(|i| (10_000 + i).to_string()).collect();
    let started = Instant::now();
    let mut recorded = 0;
    let (mut find_time, mut add_time) = (std::time::Duration::ZERO, std::time::Duration::ZERO);
    for chunk in numbers.chunks(BATCH) {
        let refs: Vec<&str> = chunk.iter().map(String::as_str).collect();
        let t = Instant::now();
        let found = store
            .find_orders_by_refs("acme", Some("shop-1"), &refs)
            .await
            .unwrap();
        find_time += t.elapsed();
        let shipments: Vec<(Ulid, Shipment)> = refs
            .iter()
            .map(|r| match &found[*r] {
                Lookup::Found(o) => (o.id, shipment(&format!("TRK{r}"))),
                Lookup::Ambiguous(ids) => panic!("{r} ambiguous: {ids:?}"),
            })
            .collect();
        let t = Instant::now();
        recorded += store
            .add_shipments(&shipments)
            .await
            .unwrap()
            .iter()
            .filter(|(_, new)| *new)
            .count();
        add_time += t.elapsed();
    }
    let import_rate = ROWS as f64 / started.elapsed().as_secs_f64();
    assert_eq!(recorded, ROWS);
    println!(
        "store throughput ({ROWS} rows, batches of {BATCH}): upsert_orders {upsert_rate:.0} \
         orders/s; find_orders_by_refs + add_shipments {import_rate:.0} rows/s \
         (lookups {find_time:?}, shipments {add_time:?})"
    );
}

/// Runs each named case on both databases, as `sqlite::<case>` and `postgres::<case>`.
/// Every case gets a multi-threaded runtime, which the concurrency cases need.
macro_rules! on_both_stores {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() {
                super::$case(super::Kind::Sqlite).await
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() {
                super::$case(super::Kind::Postgres).await
            })*
        }
    };
}

on_both_stores!(
    data_survives_reopening_and_migrations_run_once,
    text_sorts_byte_wise,
    raw_payloads_are_keyed_by_content_hash,
    upsert_keeps_the_first_id_and_refuses_stale_versions,
    pipeline_status_survives_redelivery_but_not_a_newer_version,
    concurrent_upserts_of_one_source_order_agree_on_its_id,
    external_ids_are_unique_per_connector_not_globally,
    batch_upsert_reports_each_outcome_in_one_transaction,
    find_order_by_number_with_or_without_hash_or_by_external_id,
    a_number_on_two_shops_is_ambiguous_until_narrowed,
    batch_lookup_answers_each_reference_as_given,
    cursors_are_saved_per_connector,
    quarantine_keeps_input_bytes_exactly_and_tracks_state,
    concurrent_identical_quarantines_keep_one_open_row,
    a_duplicate_shipment_returns_the_existing_one,
    batch_shipments_dedupe_within_and_across_batches,
    effects_go_fresh_then_pending_then_done,
    exactly_one_of_eight_concurrent_callers_gets_fresh,
    tracking_events_are_kept_once,
    audit_entries_are_listed_per_subject_in_order,
    an_audited_upsert_writes_one_entry_per_call_naming_fields_not_values,
    dead_jobs_are_listed_taken_and_purged,
    supplier_file_throughput,
);
