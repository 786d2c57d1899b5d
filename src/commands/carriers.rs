//! `shipgate carriers [list] | detect NUMBER`: the carrier registry (`mappings/carriers`)
//! and which carriers a tracking number can belong to.

use crate::cli::CarriersAction;
use shipgate_carriers::{Countries, Vocabulary};
use std::path::Path;
use std::process::ExitCode;

pub(crate) fn run(config_path: &Path, action: Option<CarriersAction>) -> anyhow::Result<ExitCode> {
    let registry = super::load_registry(config_path)?;
    match action.unwrap_or(CarriersAction::List) {
        CarriersAction::List => {
            println!(
                "{:<18} {:<28} {:<12} {:>7} {:>8}  {:<5} names",
                "code", "name", "countries", "formats", "statuses", "url"
            );
            for c in registry.iter() {
                let countries = match c.countries() {
                    Countries::Anywhere => "*".to_string(),
                    Countries::Only(list) if list.len() <= 3 => list
                        .iter()
                        .map(|c| c.as_str())
                        .collect::<Vec<_>>()
                        .join(","),
                    Countries::Only(list) => format!("{} countries", list.len()),
                };
                let names: Vec<&str> = Vocabulary::ALL
                    .iter()
                    .filter(|v| c.name_in(**v).is_some())
                    .map(|v| v.as_str())
                    .collect();
                println!(
                    "{:<18} {:<28} {:<12} {:>7} {:>8}  {:<5} {}",
                    c.code(),
                    c.name(),
                    countries,
                    c.formats().len(),
                    c.statuses().len(),
                    if c.tracking_url_template().is_some() {
                        "yes"
                    } else {
                        "-"
                    },
                    names.join(",")
                );
            }
            println!("{} carriers", registry.len());
        }
        CarriersAction::Detect { number } => {
            let found = registry.detect(&number);
            if found.is_empty() {
                println!("{number}: no known carrier format matches");
                return Ok(ExitCode::FAILURE);
            }
            for (rank, d) in found.iter().enumerate() {
                let url = registry.tracking_url(d.code, &number).unwrap_or_default();
                println!(
                    "{}. {:<16} {:<34} score {:>5.1}  check digit {}  {}",
                    rank + 1,
                    d.code,
                    d.format_name,
                    d.score,
                    if d.checksum_ok { "ok" } else { "none" },
                    url
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
