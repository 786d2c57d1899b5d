//! `shipgate jobs dead | retry ID | retry --all | purge`: the dead list, for the admin
//! who fixes what went wrong and replays it.

use crate::cli::JobsAction;
use anyhow::Context;
use shipgate::config::Config;
use shipgate::queue::{Job, Queue, RetryPolicy};
use shipgate::store::Store;
use std::path::Path;
use std::process::ExitCode;

pub(crate) async fn run(config_path: &Path, action: JobsAction) -> anyhow::Result<ExitCode> {
    let config = Config::load(config_path)?;
    let store = Store::open(&config.store.url)
        .await
        .with_context(|| format!("store {}", config.store.url))?;
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
            let queue = Queue::open(&config.queue.url, RetryPolicy::default())
                .await
                .with_context(|| format!("queue {}", config.queue.url))?;
            let ids: Vec<i64> = match (id, all) {
                (Some(id), _) => vec![id],
                (None, true) => store
                    .list_dead(u32::MAX)
                    .await?
                    .into_iter()
                    .map(|d| d.id)
                    .collect(),
                (None, false) => anyhow::bail!("give a dead job id, or --all"),
            };
            let mut retried = 0;
            for id in ids {
                let Some(dead) = store.take_dead(id).await? else {
                    eprintln!("no dead job {id}");
                    continue;
                };
                let job: Job = serde_json::from_value(dead.payload.clone())
                    .with_context(|| format!("dead job {id} has an unreadable payload"))?;
                queue.push(job).await?;
                retried += 1;
            }
            println!("{retried} job(s) back on the queue");
        }
        JobsAction::Purge => println!("{} dead job(s) deleted", store.purge_dead().await?),
    }
    Ok(ExitCode::SUCCESS)
}
