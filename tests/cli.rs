//! The `shipgate` binary as a user runs it: exit codes, what it prints, what it refuses.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn shipgate(args: &[&str], config: Option<&Path>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shipgate"));
    cmd.args(args)
        .env_remove("RUST_LOG")
        .env_remove("SHIPGATE_CONFIG");
    if let Some(config) = config {
        cmd.arg("--config").arg(config);
    }
    cmd.output().expect("the shipgate binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// A configuration with no connectors, its store and queue in `dir`.
fn config_in(dir: &Path) -> PathBuf {
    let path = dir.join("shipgate.toml");
    let body = format!(
        "[store]\nurl = \"sqlite://{}\"\n[queue]\nurl = \"sqlite://{}\"\n[mappings]\ndir = \"{}\"\n",
        dir.join("store.db").display(),
        dir.join("queue.db").display(),
        repo("mappings").display()
    );
    std::fs::write(&path, body).unwrap();
    path
}

#[test]
fn demo_gives_every_order_exactly_one_fulfillment() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo");
    let out = shipgate(
        &[
            "demo",
            "--orders",
            "60",
            "--data-dir",
            data.to_str().unwrap(),
        ],
        None,
    );
    let stdout = text(&out.stdout);
    assert!(
        out.status.success(),
        "demo failed:\n{stdout}\n{}",
        text(&out.stderr)
    );
    assert!(
        stdout.contains("OK: every order got exactly one fulfillment"),
        "{stdout}"
    );
    assert!(stdout.contains("normalized          60"), "{stdout}");
    assert!(
        stdout.contains("0 missing, 0 twice or more, 0 unexpected"),
        "{stdout}"
    );
    assert!(
        stdout.contains("invalid value at totalPriceSet"),
        "the malformed node must be quarantined:\n{stdout}"
    );
    assert!(
        data.join("drop/done").read_dir().unwrap().count() == 2,
        "both supplier files end in done/"
    );
}

#[test]
fn normalize_prints_the_canonical_order() {
    let out = shipgate(
        &[
            "normalize",
            "--from",
            "shopify",
            repo("connectors/shopify/tests/data/order_1001.json")
                .to_str()
                .unwrap(),
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let order: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(order["source"]["external_number"], "#1001");
    assert_eq!(
        order["source"]["external_id"],
        "gid://shopify/Order/450789469"
    );
    assert_eq!(order["total"]["amount"], "409.94");
    assert_eq!(order["total"]["currency"], "USD");
    assert_eq!(
        order["created_at"], "2008-01-10T16:00:00Z",
        "times are converted to UTC"
    );
}

#[test]
fn normalize_names_the_field_that_is_wrong_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let original =
        std::fs::read_to_string(repo("connectors/shopify/tests/data/order_1001.json")).unwrap();
    let mut node: serde_json::Value = serde_json::from_str(&original).unwrap();
    node["totalPriceSet"] = serde_json::json!(409.94);
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, serde_json::to_vec(&node).unwrap()).unwrap();
    let out = shipgate(
        &["normalize", "--from", "shopify", bad.to_str().unwrap()],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("bad.json") && stderr.contains("totalPriceSet"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());

    let truncated = dir.path().join("truncated.json");
    std::fs::write(&truncated, &original[..original.len() / 2]).unwrap();
    let out = shipgate(
        &[
            "normalize",
            "--from",
            "shopify",
            truncated.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("line "), "{}", text(&out.stderr));

    let out = shipgate(
        &["normalize", "--from", "magento", bad.to_str().unwrap()],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("unknown source \"magento\""),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn jobs_dead_on_an_empty_store() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path());
    let out = shipgate(&["jobs", "dead"], Some(&config));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), "no dead jobs");
    let out = shipgate(&["jobs", "retry"], Some(&config));
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("give a dead job id, or --all"));
}

#[test]
fn import_quarantines_unknown_orders_and_refuses_a_file_without_the_needed_columns() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path());
    let good = dir.path().join("tracking.csv");
    std::fs::write(
        &good,
        "order,tracking,carrier\n#5001,1Z999AA10123456784,UPS\nbad-row-with,,\n",
    )
    .unwrap();
    let out = shipgate(
        &["import", good.to_str().unwrap(), "--no-process"],
        Some(&config),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("2 rows, 0 shipments"), "{stdout}");
    assert!(
        stdout.contains("2 quarantined (1 bad rows, 1 unmatched)"),
        "{stdout}"
    );

    let wrong = dir.path().join("wrong.csv");
    std::fs::write(&wrong, "reference_code,parcel\n1,2\n").unwrap();
    let out = shipgate(
        &["import", wrong.to_str().unwrap(), "--no-process"],
        Some(&config),
    );
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("order_ref") || stderr.contains("tracking"),
        "names the missing column: {stderr}"
    );

    let out = shipgate(
        &["import", good.to_str().unwrap(), "--template", "nope"],
        Some(&config),
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("supplier-tracking"),
        "lists the known templates: {}",
        text(&out.stderr)
    );
}

#[test]
fn a_missing_secret_is_named_when_the_connector_is_needed() {
    let out = Command::new(env!("CARGO_BIN_EXE_shipgate"))
        .args([
            "--config",
            repo("config/shipgate.toml").to_str().unwrap(),
            "run",
        ])
        .env_remove("SHOPIFY_ACCESS_TOKEN")
        .env_remove("SHIPGATE_CONFIG")
        .current_dir(tempfile::tempdir().unwrap().path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("SHOPIFY_ACCESS_TOKEN") && stderr.contains("shop-main"),
        "{stderr}"
    );
}

/// A Shopify orders export with one order, built on the real 79-column header.
fn orders_export(name: &str) -> String {
    let header = std::fs::read_to_string(repo(
        "../shared/fixtures/marketplaces/shopify/csv/orders_export_header.csv",
    ))
    .expect("the Shopify export header fixture in ../shared beside the repository");
    let header = header.trim_end();
    let values: Vec<String> = header
        .split(',')
        .map(|column| match column {
            "Name" => name.to_string(),
            "Currency" => "EUR".into(),
            "Total" => "25.00".into(),
            "Created at" => "2026-11-20 10:00:00 +0100".into(),
            "Lineitem quantity" => "1".into(),
            "Lineitem name" => "Enamel mug".into(),
            "Lineitem price" => "25.00".into(),
            "Lineitem requires shipping" => "true".into(),
            "Shipping City" => "Lyon".into(),
            "Shipping Country" => "FR".into(),
            "Id" => "5001".into(),
            _ => String::new(),
        })
        .collect();
    format!("{header}\n{}\n", values.join(","))
}

#[test]
fn an_unmatched_tracking_row_is_replayed_once_its_order_arrives() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path());
    let tracking = dir.path().join("tracking.csv");
    std::fs::write(
        &tracking,
        "order,tracking,carrier\n#5001,1Z999AA10123456784,UPS\n",
    )
    .unwrap();
    let out = shipgate(
        &["import", tracking.to_str().unwrap(), "--no-process"],
        Some(&config),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));

    let out = shipgate(&["quarantine", "list"], Some(&config));
    let listing = text(&out.stdout);
    assert!(
        listing.contains("tracking") && listing.contains("tracking.csv, line 2"),
        "{listing}"
    );
    assert!(
        listing.contains("no order of tenant \"default\" has the number or id \"#5001\""),
        "{listing}"
    );
    let id = listing.split_whitespace().next().unwrap().to_string();

    let out = shipgate(&["quarantine", "show", &id], Some(&config));
    assert!(
        text(&out.stdout).contains("1Z999AA10123456784"),
        "{}",
        text(&out.stdout)
    );

    let out = shipgate(&["quarantine", "replay", &id], Some(&config));
    assert_eq!(
        out.status.code(),
        Some(1),
        "still no order: {}",
        text(&out.stdout)
    );
    assert!(text(&out.stdout).contains("stays in quarantine"));

    let orders = dir.path().join("orders_export.csv");
    std::fs::write(&orders, orders_export("#5001")).unwrap();
    let out = shipgate(
        &[
            "import",
            orders.to_str().unwrap(),
            "--template",
            "shopify-orders-export",
            "--no-process",
        ],
        Some(&config),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("1 orders"),
        "{}",
        text(&out.stdout)
    );

    let out = shipgate(&["quarantine", "replay", &id], Some(&config));
    assert!(
        text(&out.stdout).contains("replayed: Shipment { created: true }"),
        "{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let out = shipgate(&["quarantine", "replay", &id], Some(&config));
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("Replayed, not open"),
        "{}",
        text(&out.stderr)
    );
    let out = shipgate(&["quarantine", "list"], Some(&config));
    assert_eq!(text(&out.stdout).trim(), "quarantine is empty");
}

#[test]
fn carriers_are_listed_and_numbers_detected() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path());
    let out = shipgate(&["carriers"], Some(&config));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let listing = text(&out.stdout);
    let count: usize = listing
        .lines()
        .last()
        .and_then(|l| l.strip_suffix(" carriers"))
        .and_then(|n| n.parse().ok())
        .expect("a closing count");
    assert!(count >= 45, "{listing}");
    assert!(
        listing.lines().any(|l| l.starts_with("colissimo ")),
        "{listing}"
    );

    let out = shipgate(
        &["carriers", "detect", "1Z 999AA1 0123456784"],
        Some(&config),
    );
    assert!(out.status.success());
    let first = text(&out.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(
        first.starts_with("1. ups ") && first.contains("check digit ok"),
        "{first}"
    );

    let out = shipgate(&["carriers", "detect", "1Z999AA10123456785"], Some(&config));
    assert_eq!(
        out.status.code(),
        Some(1),
        "a wrong check digit matches nothing: {}",
        text(&out.stdout)
    );
}

#[test]
fn track_parses_saved_carrier_answers_into_canonical_events() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path());
    let fixture = |name: &str| repo(&format!("../shared/fixtures/carriers/tracking/{name}"));
    let out = shipgate(
        &[
            "track",
            "--carrier",
            "colissimo",
            "--parse",
            fixture("laposte.json").to_str().unwrap(),
        ],
        Some(&config),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let updates: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        updates[0]["status"], "delivered",
        "a carrier code with one API finds it"
    );
    let events = updates[0]["events"].as_array().unwrap();
    assert!(
        events
            .windows(2)
            .all(|w| w[0]["occurred_at"].as_str() <= w[1]["occurred_at"].as_str()),
        "oldest first"
    );
    assert!(
        events
            .iter()
            .all(|e| e["occurred_at"].as_str().unwrap().ends_with('Z')),
        "UTC"
    );

    let out = shipgate(
        &[
            "track",
            "--carrier",
            "ups",
            "--parse",
            fixture("ups.error.json").to_str().unwrap(),
        ],
        Some(&config),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("Invalid inquiry number"),
        "{}",
        text(&out.stderr)
    );

    let dpd = fixture("dpd.xml");
    let out = shipgate(
        &[
            "track",
            "--carrier",
            "dpd",
            "--parse",
            dpd.to_str().unwrap(),
        ],
        Some(&config),
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "DPD's answer does not name its parcel"
    );
    let out = shipgate(
        &[
            "track",
            "--carrier",
            "dpd",
            "--parse",
            dpd.to_str().unwrap(),
            "--number",
            "05308801410058",
        ],
        Some(&config),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));

    let out = shipgate(
        &[
            "track",
            "--carrier",
            "nope",
            "--parse",
            dpd.to_str().unwrap(),
        ],
        Some(&config),
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("no tracking parser for \"nope\"; known: "),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn mappings_check_runs_every_case_and_names_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path());
    let out = Command::new(env!("CARGO_BIN_EXE_shipgate"))
        .args(["--config", config.to_str().unwrap(), "mappings", "check"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
    assert!(stdout.contains("shopify/order_1001.toml"), "{stdout}");

    let cases = dir.path().join("cases");
    std::fs::create_dir_all(&cases).unwrap();
    let order = repo("connectors/shopify/tests/data/order_1001.json");
    std::fs::write(
        cases.join("drifted.toml"),
        format!(
            "source = \"shopify\"\ninput = {:?}\n[expect]\n\"total.amount\" = \"400.00\"\n\"ship_to.no_such_field\" = \"x\"\n\"source.external_number\" = \"#1001\"\n",
            order.display().to_string()
        ),
    )
    .unwrap();
    std::fs::write(
        cases.join("accepted.toml"),
        format!(
            "source = \"shopify\"\ninput = {:?}\n[expect_error]\nlocation = \"totalPriceSet\"\n",
            order.display().to_string()
        ),
    )
    .unwrap();
    let out = shipgate(
        &["mappings", "check", "--cases", cases.to_str().unwrap()],
        Some(&config),
    );
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("total.amount: expected \"400.00\", found \"409.94\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("ship_to.no_such_field: expected \"x\", found nothing"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("source.external_number:"),
        "a holding expectation is not reported: {stdout}"
    );
    assert!(
        stdout.contains(
            "<error>: expected \"the mapping refuses the input\", found \"it was accepted\""
        ),
        "{stdout}"
    );
    assert!(stdout.contains("mappings: 0 passed, 2 failed"), "{stdout}");
}

#[test]
fn normalize_reads_every_marketplace_into_the_same_canonical_shape() {
    let dir = tempfile::tempdir().unwrap();
    // Amazon's public getOrder sandbox pair wraps the answer; the CLI takes the answer.
    let pair: serde_json::Value = serde_json::from_slice(
        &std::fs::read(repo(
            "connectors/amazon/src/sandbox/fixtures/orders_2026-01-01.getOrder.200.0.json",
        ))
        .unwrap(),
    )
    .unwrap();
    let amazon = dir.path().join("amazon.json");
    std::fs::write(&amazon, serde_json::to_vec(&pair["response"]).unwrap()).unwrap();
    let cases = [
        (
            "amazon",
            amazon,
            "171-9876543-2109876",
            "299.90",
            "BRL",
            "BR",
            "+5511987654321",
        ),
        (
            "douyin",
            repo("connectors/douyin/tests/data/shop_order.json"),
            "6900000000000001003",
            "72.70",
            "CNY",
            "CN",
            "+8613800010003",
        ),
        (
            "cdiscount",
            repo("connectors/cdiscount/tests/data/rest_order.json"),
            "2311231015ABCDE",
            "64.97",
            "EUR",
            "FR",
            "+33612345678",
        ),
    ];
    for (from, file, id, amount, currency, country, phone) in cases {
        let out = shipgate(&["normalize", "--from", from, file.to_str().unwrap()], None);
        assert!(out.status.success(), "{from}: {}", text(&out.stderr));
        let order: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(order["source"]["channel"], from);
        assert_eq!(order["source"]["external_id"], id, "{from}");
        assert_eq!(order["total"]["amount"], amount, "{from}: money exact");
        assert_eq!(order["total"]["currency"], currency, "{from}");
        assert_eq!(order["ship_to"]["country"], country, "{from}: ISO country");
        assert_eq!(order["ship_to"]["phone"], phone, "{from}: E.164 phone");
        let created = order["created_at"].as_str().unwrap();
        assert!(created.ends_with('Z'), "{from}: UTC time, got {created}");
    }
    // A SOAP answer holding several orders is refused with the reason, not half-read.
    let out = shipgate(
        &[
            "normalize",
            "--from",
            "cdiscount",
            repo("connectors/cdiscount/tests/data/GetOrderList.get_order_list.response.xml")
                .to_str()
                .unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("exactly one <Order>"),
        "{}",
        text(&out.stderr)
    );
}

/// `shipgate worker` on a Redis queue: it runs what another process queued, then stops
/// cleanly on SIGTERM with its counts. Redis is the one `./scripts/test` starts
/// (`TEST_REDIS_URL`); without it this test fails rather than skips.
#[tokio::test]
async fn a_worker_process_runs_queued_jobs_and_stops_on_sigterm() {
    use shipgate::queue::{Job, Queue, RetryPolicy};
    use std::time::{Duration, Instant};

    let redis = std::env::var("TEST_REDIS_URL")
        .expect("TEST_REDIS_URL: run ./scripts/test, which starts a private redis-server");
    let name = format!("cli-worker-{}", std::process::id());
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("shipgate.toml");
    std::fs::write(
        &config,
        format!(
            "[store]\nurl = \"sqlite://{}\"\n[queue]\nurl = \"{redis}\"\nname = \"{name}\"\n[mappings]\ndir = \"{}\"\n",
            dir.path().join("store.db").display(),
            repo("mappings").display()
        ),
    )
    .unwrap();
    let queue = Queue::open_named(&redis, &name, RetryPolicy::default())
        .await
        .unwrap();
    queue
        .push_many(vec![Job::TrackDue, Job::TrackDue, Job::TrackDue])
        .await
        .unwrap();

    let child = Command::new(env!("CARGO_BIN_EXE_shipgate"))
        .args(["worker", "--concurrency", "2", "--config"])
        .arg(&config)
        .env_remove("SHIPGATE_CONFIG")
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let mut child = child;
    while queue.pending().await.unwrap() > 0 {
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "the worker process never ran the jobs:\n{}{}",
                text(&out.stdout),
                text(&out.stderr)
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let term = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let logs = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{:?}\n{logs}", out.status);
    assert!(logs.contains("shutdown requested"), "{logs}");
    assert!(
        logs.contains("succeeded=3") && logs.contains("dead=0"),
        "{logs}"
    );
}

#[test]
fn json_logs_are_one_object_a_line_carrying_the_jobs_ids() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_shipgate"))
        .args([
            "--log-format",
            "json",
            "demo",
            "--orders",
            "20",
            "--data-dir",
        ])
        .arg(dir.path().join("demo"))
        .env("RUST_LOG", "info")
        .env_remove("SHIPGATE_CONFIG")
        .output()
        .expect("the shipgate binary runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines: Vec<serde_json::Value> = text(&out.stderr)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect();
    assert!(lines.len() > 5, "{lines:?}");
    assert!(lines
        .iter()
        .all(|l| l["level"].is_string() && l["fields"].is_object()));
    let in_job = |kind: &str| {
        lines
            .iter()
            .filter(|l| l["span"]["name"] == "job" && l["span"]["kind"] == kind)
            .collect::<Vec<_>>()
    };
    let pulls = in_job("pull_orders");
    assert!(!pulls.is_empty(), "{lines:?}");
    assert!(pulls.iter().all(|l| l["span"]["connector"] == "demo-shop"
        && l["span"]["id"].as_str().is_some_and(|id| id.len() == 26)));
    let quarantined = in_job("normalize");
    assert!(
        quarantined
            .iter()
            .any(|l| l["fields"]["location"] == "totalPriceSet"
                && l["span"]["connector"] == "demo-shop"),
        "{quarantined:?}"
    );
    let pushes = in_job("push_back");
    assert!(!pushes.is_empty(), "{lines:?}");
    let without: Vec<_> = pushes
        .iter()
        .filter(|l| !l["span"]["shipment"].is_u64())
        .collect();
    assert!(
        without.is_empty(),
        "push_back lines without a shipment id: {without:?}"
    );
}
