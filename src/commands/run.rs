//! `shipgate run`: the host in one process: a scheduler per pulled connector, a poller
//! per drop folder, the webhook listener and the workers, until Ctrl-C or SIGTERM; in-flight jobs drain first.

use anyhow::Context;
use shipgate::config::Config;
use shipgate::connectors::{Connectors, DropSpec};
use shipgate::host::Host;
use shipgate::http::{router, HttpState};
use shipgate::pipeline::drop_import::import_ready_files;
use shipgate::pipeline::tracking_import::ImportRequest;
use shipgate::queue::Job;
use shipgate_csv::{DropFolder, Templates};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use tokio::task::JoinSet;

/// How often due parcels are handed out for polling (each parcel has its own schedule).
const TRACK_ROUND: std::time::Duration = std::time::Duration::from_secs(60);

pub(crate) async fn run(config_path: &Path) -> anyhow::Result<ExitCode> {
    let config = Config::load(config_path)?;
    let connectors = Connectors::open(&config).await?;
    let templates = Arc::new(
        Templates::load_dir(config.mappings.dir.join("csv")).with_context(|| {
            format!(
                "loading CSV templates from {}",
                config.mappings.dir.display()
            )
        })?,
    );
    let host = Host::open(&config, connectors.clone()).await?;
    let mut schedulers = JoinSet::new();
    for (id, spec) in connectors.pulls() {
        let (id, interval, queue) = (id.clone(), spec.interval, host.queue.clone());
        schedulers.spawn(async move {
            let mut tick = tokio::time::interval(interval);
            loop {
                tick.tick().await;
                if let Err(err) = queue
                    .push(Job::PullOrders {
                        connector_id: id.clone(),
                    })
                    .await
                {
                    tracing::error!(connector = %id, %err, "cannot schedule a pull");
                }
            }
        });
    }
    if connectors.has_tracking_carriers() {
        let queue = host.queue.clone();
        schedulers.spawn(async move {
            let mut tick = tokio::time::interval(TRACK_ROUND);
            loop {
                tick.tick().await;
                if let Err(err) = queue.push(Job::TrackDue).await {
                    tracing::error!(%err, "cannot schedule tracking polls");
                }
            }
        });
    }
    for spec in connectors.drops().iter().cloned() {
        let (host, templates) = (host.clone(), templates.clone());
        schedulers.spawn(async move { watch_drop_folder(spec, host, templates).await });
    }
    let listener = tokio::net::TcpListener::bind(&config.http.listen)
        .await
        .with_context(|| format!("binding the HTTP listener on {}", config.http.listen))?;
    let app = router(HttpState {
        store: host.store.clone(),
        queue: host.queue.clone(),
        connectors: Arc::new(connectors.clone()),
        pipeline: host.pipeline.clone(),
    });
    schedulers.spawn(async move {
        if let Err(err) = axum::serve(listener, app).await {
            tracing::error!(%err, "the HTTP listener stopped");
        }
    });
    tracing::info!(
        listen = %config.http.listen,
        pulls = connectors.pulls().count(),
        drops = connectors.drops().len(),
        workers = config.queue.concurrency,
        "shipgate is running; Ctrl-C to stop"
    );
    let stats = host
        .queue
        .run(
            host.pipeline.clone(),
            host.dead.clone(),
            config.queue.concurrency,
            shutdown_signal(),
        )
        .await?;
    schedulers.shutdown().await;
    tracing::info!(
        succeeded = stats.succeeded,
        retried = stats.retried,
        dead = stats.dead,
        "stopped"
    );
    Ok(ExitCode::SUCCESS)
}

/// `shipgate worker`: the workers alone, on the configured queue, until Ctrl-C or
/// SIGTERM; the jobs they hold finish first.
pub(crate) async fn worker(
    config_path: &Path,
    concurrency: Option<usize>,
) -> anyhow::Result<ExitCode> {
    let config = Config::load(config_path)?;
    let connectors = Connectors::open(&config).await?;
    let host = Host::open(&config, connectors).await?;
    let concurrency = concurrency.unwrap_or(config.queue.concurrency);
    tracing::info!(
        queue = %shipgate::config::redacted_url(&config.queue.url),
        name = %config.queue.name,
        workers = concurrency,
        "shipgate worker is running; Ctrl-C or SIGTERM to stop"
    );
    let stats = host
        .queue
        .run(
            host.pipeline.clone(),
            host.dead.clone(),
            concurrency,
            shutdown_signal(),
        )
        .await?;
    tracing::info!(
        succeeded = stats.succeeded,
        retried = stats.retried,
        dead = stats.dead,
        "stopped"
    );
    Ok(ExitCode::SUCCESS)
}

/// Imports every stable file of a drop folder, then moves it to done/ or failed/.
async fn watch_drop_folder(spec: DropSpec, host: Host, templates: Arc<Templates>) {
    let folder = match DropFolder::new(&spec.folder) {
        Ok(folder) => folder,
        Err(err) => {
            tracing::error!(connector = %spec.id, folder = %spec.folder.display(), %err, "drop folder unusable");
            return;
        }
    };
    let mut tick = tokio::time::interval(spec.poll_interval);
    loop {
        tick.tick().await;
        let Some(template) = templates.get(&spec.template) else {
            tracing::error!(connector = %spec.id, template = %spec.template, "no such CSV template; files left in place");
            continue;
        };
        let owner = ImportRequest {
            connector_id: spec.id.clone(),
            tenant: spec.tenant.clone(),
            merchant: spec.merchant.clone(),
            path: spec.folder.clone(),
        };
        let files = match import_ready_files(&host, &folder, template, &owner).await {
            Ok(files) => files,
            Err(err) => {
                tracing::error!(connector = %spec.id, %err, "cannot list the drop folder");
                continue;
            }
        };
        for file in files {
            match &file.outcome {
                Ok(report) => {
                    tracing::info!(file = %file.path.display(), rows = report.rows, shipments = report.shipments_created, quarantined = report.quarantined(), "imported")
                }
                Err(err) => tracing::error!(file = %file.path.display(), %err, "import failed"),
            }
            if let Err(err) = &file.moved_to {
                tracing::error!(file = %file.path.display(), %err, "cannot move the processed file");
            }
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutdown requested; draining in-flight jobs");
}
