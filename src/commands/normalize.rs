//! `shipgate normalize --from SOURCE FILE`: a saved remote payload → canonical order JSON.
//! The quickest way to see how a mapping reads a payload, or why it refuses it.

use anyhow::{bail, Context};
use shipgate_sdk::Origin;
use std::path::Path;
use std::process::ExitCode;

pub(crate) fn run(from: &str, file: &Path) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let origin = Origin {
        tenant: "default".into(),
        merchant: "default".into(),
        connector_id: "normalize".into(),
    };
    let result = match from {
        "shopify" => shipgate_shopify::mapping::normalize_order(&bytes, &origin),
        "amazon" => shipgate_amazon::normalize(&origin, &bytes),
        "douyin" => shipgate_douyin::mapping::normalize(&origin, &bytes),
        "cdiscount" => shipgate_cdiscount::normalize(&origin, &bytes),
        other => bail!(
            "unknown source {other:?}: this build normalizes shopify, amazon, douyin and cdiscount payloads"
        ),
    };
    match result {
        Ok(order) => {
            println!("{}", serde_json::to_string_pretty(&order)?);
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => {
            eprintln!("error: {}: {} ({err})", file.display(), err.location());
            Ok(ExitCode::FAILURE)
        }
    }
}
