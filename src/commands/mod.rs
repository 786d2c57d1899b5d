//! One module per subcommand.

mod carriers;
mod demo;
mod import;
mod jobs;
mod mappings;
mod normalize;
mod quarantine;
mod run;
mod track;

use crate::cli::{Cli, Command, MappingsAction};
use anyhow::Context;
use shipgate::config::Config;
use shipgate::host::Host;
use shipgate::queue::RunStats;
use shipgate::store::Store;
use std::process::ExitCode;

/// Runs the chosen command.
pub(crate) async fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Demo { orders, data_dir } => demo::run(orders, data_dir).await,
        Command::Run => run::run(&cli.config).await,
        Command::Worker { concurrency } => run::worker(&cli.config, concurrency).await,
        Command::Import {
            file,
            template,
            tenant,
            no_process,
        } => import::run(&cli.config, &file, &template, &tenant, no_process).await,
        Command::Normalize { from, file } => normalize::run(&from, &file),
        Command::Carriers { action } => carriers::run(&cli.config, action),
        Command::Track {
            carrier,
            parse,
            number,
        } => track::run(&cli.config, &carrier, &parse, number.as_deref()),
        Command::Mappings {
            action: MappingsAction::Check { cases },
        } => mappings::run(&cli.config, &cases),
        Command::Quarantine { action } => quarantine::run(&cli.config, action).await,
        Command::Jobs { action } => jobs::run(&cli.config, action).await,
    }
}

/// Opens the configured store, naming it in the error.
async fn open_store(config: &Config) -> anyhow::Result<Store> {
    Store::open(&config.store.url)
        .await
        .with_context(|| format!("store {}", config.store.url))
}

/// Runs the queue until nothing is pending and says what happened.
async fn drain(host: &Host, config: &Config) -> anyhow::Result<RunStats> {
    let stats = host
        .queue
        .run_until_idle(
            host.pipeline.clone(),
            host.dead.clone(),
            config.queue.concurrency,
        )
        .await?;
    println!(
        "jobs: {} done, {} retried, {} dead",
        stats.succeeded, stats.retried, stats.dead
    );
    Ok(stats)
}

/// The configured mappings folder, or `mappings/` when there is no configuration file
/// (the data commands work from a checkout without one).
fn mappings_dir(config_path: &std::path::Path) -> anyhow::Result<std::path::PathBuf> {
    Ok(if config_path.exists() {
        Config::load(config_path)?.mappings.dir
    } else {
        std::path::PathBuf::from("mappings")
    })
}

/// The carrier registry of the mappings folder, every bad file named.
fn load_registry(config_path: &std::path::Path) -> anyhow::Result<shipgate_carriers::Registry> {
    let dir = mappings_dir(config_path)?.join("carriers");
    shipgate_carriers::Registry::load_dir(&dir).map_err(|errors| {
        let all: Vec<String> = errors.iter().map(ToString::to_string).collect();
        anyhow::anyhow!("carrier registry {}: {}", dir.display(), all.join("; "))
    })
}
