//! One module per subcommand.

mod demo;
mod import;
mod jobs;
mod normalize;
mod quarantine;
mod run;

use crate::cli::{Cli, Command};
use std::process::ExitCode;

/// Runs the chosen command.
pub(crate) async fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Demo { orders, data_dir } => demo::run(orders, data_dir).await,
        Command::Run => run::run(&cli.config).await,
        Command::Import {
            file,
            template,
            tenant,
            no_process,
        } => import::run(&cli.config, &file, &template, &tenant, no_process).await,
        Command::Normalize { from, file } => normalize::run(&from, &file),
        Command::Quarantine { action } => quarantine::run(&cli.config, action).await,
        Command::Jobs { action } => jobs::run(&cli.config, action).await,
    }
}
