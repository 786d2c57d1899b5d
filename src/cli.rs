//! The command line: what a user can ask of the `shipgate` binary.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// shipgate — pulls orders from marketplaces and CSV drops, normalizes them, and pushes
/// tracking back to each storefront through a job queue.
#[derive(Debug, Parser)]
#[command(name = "shipgate", version, about)]
pub struct Cli {
    /// The configuration file.
    #[arg(
        long,
        global = true,
        env = "SHIPGATE_CONFIG",
        default_value = "config/shipgate.toml"
    )]
    pub config: PathBuf,
    /// How log lines are written to stderr: `text` for people, `json` (one object a line,
    /// with the job's id, kind, connector, order and shipment ids) for a log pipeline.
    #[arg(
        long,
        global = true,
        env = "SHIPGATE_LOG_FORMAT",
        value_enum,
        default_value = "text"
    )]
    pub log_format: LogFormat,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The shapes of log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines, coloured on a terminal.
    Text,
    /// One JSON object a line.
    Json,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Runs the whole dropshipper loop against a loopback Shopify sandbox and prints a
    /// summary; exits 0 only when every order got exactly one fulfillment.
    Demo {
        /// Orders in the sandbox shop.
        #[arg(long, default_value_t = 1000)]
        orders: usize,
        /// Where to keep the demo's store, queue and files (default: a fresh temporary folder).
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
    /// Runs the host: scheduled pulls, drop folders, webhooks and workers, until Ctrl-C or
    /// SIGTERM (in-flight jobs finish first).
    Run,
    /// Runs workers only, for more capacity beside a `shipgate run` on a shared queue
    /// (`queue.url = "redis://…"`), until Ctrl-C or SIGTERM (in-flight jobs finish first).
    Worker {
        /// Jobs run at once by this process (default: `queue.concurrency`).
        #[arg(long)]
        concurrency: Option<usize>,
    },
    /// Imports a CSV file with a column template (supplier tracking or an orders export).
    Import {
        /// The file.
        file: PathBuf,
        /// The template name (`mappings/csv/<name>.toml`).
        #[arg(long, default_value = "supplier-tracking")]
        template: String,
        /// The tenant whose orders the rows refer to.
        #[arg(long, default_value = "default")]
        tenant: String,
        /// Only enqueue the resulting jobs; leave them to running workers.
        #[arg(long)]
        no_process: bool,
    },
    /// Prints the canonical order of a saved remote payload as JSON.
    Normalize {
        /// The source format: `shopify`, `amazon`, `douyin` or `cdiscount`.
        #[arg(long)]
        from: String,
        /// The payload file.
        file: PathBuf,
    },
    /// Lists the carrier registry, or ranks the carriers a tracking number can belong to.
    Carriers {
        /// `list` (default) or `detect NUMBER`.
        #[command(subcommand)]
        action: Option<CarriersAction>,
    },
    /// Prints the canonical events of a saved carrier tracking answer as JSON.
    Track {
        /// The tracking API (`ups`, `laposte`…) or a carrier code with one API.
        #[arg(long)]
        carrier: String,
        /// The saved answer to parse.
        #[arg(long)]
        parse: PathBuf,
        /// The number the request asked about (DPD and Sendle answers do not repeat it).
        #[arg(long)]
        number: Option<String>,
    },
    /// Checks the data files: CSV templates and carriers load, mapping cases hold.
    Mappings {
        /// What to check.
        #[command(subcommand)]
        action: MappingsAction,
    },
    /// Lists, shows and replays inputs that could not be read or matched.
    Quarantine {
        /// What to do with them.
        #[command(subcommand)]
        action: QuarantineAction,
    },
    /// Inspects and replays jobs that ran out of retries.
    Jobs {
        /// What to do with them.
        #[command(subcommand)]
        action: JobsAction,
    },
}

/// `shipgate jobs …`
#[derive(Debug, Subcommand)]
pub enum JobsAction {
    /// Lists dead jobs with their last error.
    Dead {
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Puts dead jobs back on the queue.
    Retry {
        /// The dead job's id (see `jobs dead`).
        id: Option<i64>,
        /// Every dead job.
        #[arg(long, conflicts_with = "id")]
        all: bool,
    },
    /// Deletes every dead job.
    Purge,
}

/// `shipgate quarantine …`
#[derive(Debug, Subcommand)]
pub enum QuarantineAction {
    /// Lists open items (or all) with where and why.
    List {
        /// Replayed and discarded items too.
        #[arg(long)]
        all: bool,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Shows one item with its input as received (an audited read: it may hold buyer data).
    Show {
        /// The item's id.
        id: i64,
    },
    /// Puts an item back through the pipeline once its cause is fixed.
    Replay {
        /// The item's id.
        id: i64,
        /// The tenant whose orders a tracking row refers to.
        #[arg(long, default_value = "default")]
        tenant: String,
    },
    /// Marks an item as not worth replaying.
    Discard {
        /// The item's id.
        id: i64,
    },
}

/// `shipgate carriers …`
#[derive(Debug, Subcommand)]
pub enum CarriersAction {
    /// Every carrier with what the registry knows of it.
    List,
    /// The carriers a tracking number can belong to, best first.
    Detect {
        /// The tracking number, as written.
        number: String,
    },
}

/// `shipgate mappings …`
#[derive(Debug, Subcommand)]
pub enum MappingsAction {
    /// Loads every template and carrier file and runs every mapping case.
    Check {
        /// The folder of mapping cases (`*.toml`, searched recursively).
        #[arg(long, default_value = "tests/mappings")]
        cases: PathBuf,
    },
}
