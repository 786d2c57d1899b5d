//! The `shipgate` binary: parses the command line, runs one command, maps the outcome to
//! an exit code. Library code reports typed errors; this edge adds context with anyhow.

mod cli;
mod commands;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    init_tracing(&cli.command, cli.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::dispatch(cli)) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr; `RUST_LOG` overrides. Commands that print a report (demo, import,
/// normalize, jobs) keep quiet below warnings so the report stays readable. JSON lines
/// carry the fields of the span they were written in (a job's ids), flattened with the
/// event's own; personal data never reaches a log field in the first place.
fn init_tracing(command: &cli::Command, format: cli::LogFormat) {
    let default = match command {
        cli::Command::Run | cli::Command::Worker { .. } => "info",
        _ => "warn",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let lines = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        cli::LogFormat::Text => {
            use std::io::IsTerminal;
            lines.with_ansi(std::io::stderr().is_terminal()).init();
        }
        cli::LogFormat::Json => lines
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .init(),
    }
}
