//! `shipgate jobs dead | retry ID | retry --all | purge`: the dead list, for the admin
//! who fixes what went wrong and replays it.

use crate::cli::JobsAction;
use anyhow::Context;
use shipgate::config::Config;
use shipgate::queue::{Job, Queue, RetryPolicy};
use std::path::Path;
use std::process::ExitCode;

pub(crate) async fn run(config_path: &Path, action: JobsAction) -> anyhow::Result<ExitCode> {
    let config = Config::load(config_path)?;
    let store = super::open_store(&config).await?;
    match action {
        JobsAction::Dead { limit } => {
            let dead = store.list_dead(limit).await?;
            if dead.is_empty() {
                println!("no dead jobs");
            }
            for job in dead {
                println!(
                    "{:>6}  {}  {:<12} attempts={}  {}\n        last error: {}",
                    job.id,
                    job.failed_at.format("%Y-%m-%d %H:%M:%S"),
                    job.job_type,
                    job.attempts,
                    job.payload,
                    job.last_error
                );
            }
        }
        JobsAction::Retry { id, all } => {
            let queue = Queue::open_named(
                &config.queue.url,
                &config.queue.name,
                RetryPolicy::default(),
            )
            .await
            .with_context(|| {
                format!(
                    "queue {}",
                    shipgate::config::redacted_url(&config.queue.url)
                )
            })?;
            let dead = store.list_dead(u32::MAX).await?;
            let chosen: Vec<_> = match (id, all) {
                (Some(id), _) => dead.into_iter().filter(|d| d.id == id).collect(),
                (None, true) => dead,
                (None, false) => anyhow::bail!("give a dead job id, or --all"),
            };
            if let (Some(id), true) = (id, chosen.is_empty()) {
                anyhow::bail!("no dead job {id}");
            }
            let mut retried = 0;
            for dead in chosen {
                let job: Job = serde_json::from_value(dead.payload.clone())
                    .with_context(|| format!("dead job {} has an unreadable payload", dead.id))?;
                // Back on the queue first, off the dead list after: a failure in between
                // leaves the job listed, never lost.
                queue.push(job).await?;
                store.take_dead(dead.id).await?;
                retried += 1;
            }
            println!("{retried} job(s) back on the queue");
        }
        JobsAction::Purge => println!("{} dead job(s) deleted", store.purge_dead().await?),
    }
    Ok(ExitCode::SUCCESS)
}
