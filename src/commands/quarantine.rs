//! `shipgate quarantine list | show ID | replay ID | discard ID`: what was refused, where
//! and why, and putting it back through the pipeline once the cause is fixed.

use crate::cli::QuarantineAction;
use anyhow::Context;
use shipgate::config::Config;
use shipgate::connectors::Connectors;
use shipgate::host::Host;
use shipgate::pipeline::replay::{replay_quarantined, Replayed};
use shipgate::store::QuarantineState;
use std::path::Path;
use std::process::ExitCode;

pub(crate) async fn run(config_path: &Path, action: QuarantineAction) -> anyhow::Result<ExitCode> {
    let config = Config::load(config_path)?;
    match action {
        QuarantineAction::List { all, limit } => {
            let store = super::open_store(&config).await?;
            let state = if all {
                None
            } else {
                Some(QuarantineState::Open)
            };
            let items = store.list_quarantine(state, limit).await?;
            if items.is_empty() {
                println!("quarantine is empty");
            }
            for q in items {
                println!(
                    "{:>6}  {}  {:<9} {:<8} {}  @ {}\n        {}",
                    q.id,
                    q.created_at.format("%Y-%m-%d %H:%M:%S"),
                    q.kind,
                    format!("{:?}", q.state).to_lowercase(),
                    q.connector_id,
                    q.location,
                    q.reason
                );
            }
        }
        QuarantineAction::Show { id } => {
            let store = super::open_store(&config).await?;
            let q = store
                .quarantine_item(id)
                .await?
                .with_context(|| format!("no quarantined item {id}"))?;
            store
                .audit(
                    "cli",
                    "quarantine.read",
                    &format!("quarantine:{id}"),
                    &serde_json::json!({ "kind": q.kind }),
                )
                .await?;
            println!("item      {}\nkind      {}\nstate     {:?}\nconnector {}\nlocation  {}\nreason    {}\nraw hash  {}\ninput:",
                q.id, q.kind, q.state, q.connector_id, q.location, q.reason, q.raw_hash.as_deref().unwrap_or("-"));
            println!("{}", String::from_utf8_lossy(&q.input));
        }
        QuarantineAction::Replay { id, tenant } => {
            let connectors = Connectors::open(&config).await?;
            let host = Host::open(&config, connectors).await?;
            match replay_quarantined(&host, id, &tenant).await? {
                Replayed::StillUnmatched(reason) => {
                    println!("item {id} stays in quarantine: {reason}");
                    return Ok(ExitCode::FAILURE);
                }
                outcome => println!("item {id} replayed: {outcome:?}"),
            }
            super::drain(&host, &config).await?;
        }
        QuarantineAction::Discard { id } => {
            let store = super::open_store(&config).await?;
            store
                .set_quarantine_state(id, QuarantineState::Discarded)
                .await?;
            println!("item {id} discarded");
        }
    }
    Ok(ExitCode::SUCCESS)
}
