//! shipgate, the host: configuration, store, queue, the pipeline jobs, and the
//! connectors registry. The `shipgate` binary (src/main.rs) is a thin command line over
//! this library; connector crates under `connectors/` know nothing of it.

pub mod config;
pub mod connectors;
pub mod host;
pub mod http;
pub mod mapping_cases;
pub mod observe;
pub mod pipeline;
pub mod queue;
pub mod rate_limit;
pub mod routing;
pub mod store;
