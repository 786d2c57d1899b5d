//! `shipgate import FILE --template NAME`: one CSV file through a column template, with a
//! progress bar; then, unless `--no-process`, the pushes it enqueued are run.

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use shipgate::config::Config;
use shipgate::connectors::Connectors;
use shipgate::host::Host;
use shipgate::pipeline::tracking_import::{self, ImportRequest};
use shipgate_csv::Templates;
use std::path::Path;
use std::process::ExitCode;

pub(crate) async fn run(
    config_path: &Path,
    file: &Path,
    template_name: &str,
    tenant: &str,
    no_process: bool,
) -> anyhow::Result<ExitCode> {
    let config = Config::load(config_path)?;
    let templates_dir = config.mappings.dir.join("csv");
    let templates = Templates::load_dir(&templates_dir)
        .with_context(|| format!("loading CSV templates from {}", templates_dir.display()))?;
    let template = templates.get(template_name).with_context(|| {
        let known: Vec<&str> = templates.iter().map(|t| t.name()).collect();
        format!(
            "no CSV template {template_name:?} in {} (known: {})",
            templates_dir.display(),
            known.join(", ")
        )
    })?;
    let connectors = if no_process {
        Connectors::default()
    } else {
        Connectors::open(&config).await?
    };
    let host = Host::open(&config, connectors).await?;

    let size = std::fs::metadata(file)
        .with_context(|| format!("cannot read {}", file.display()))?
        .len();
    let bar = ProgressBar::new(size).with_style(
        ProgressStyle::with_template(
            "{spinner} {bytes}/{total_bytes} [{bar:30}] {bytes_per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    let request = ImportRequest {
        connector_id: "import".into(),
        tenant: tenant.to_string(),
        merchant: tenant.to_string(),
        path: file.to_path_buf(),
    };
    let report =
        tracking_import::import_file(&host, template, &request, |pos| bar.set_position(pos))
            .await?;
    bar.finish_and_clear();
    println!(
        "{}: {} rows, {} shipments, {} duplicate rows, {} orders, {} quarantined ({} bad rows, {} unmatched)",
        file.display(),
        report.rows,
        report.shipments_created,
        report.duplicate_rows,
        report.orders_upserted,
        report.quarantined(),
        report.bad_rows,
        report.unmatched
    );
    if !no_process && report.shipments_created > 0 {
        let stats = super::drain(&host, &config).await?;
        if stats.dead > 0 {
            return Ok(ExitCode::FAILURE);
        }
    }
    Ok(ExitCode::SUCCESS)
}
