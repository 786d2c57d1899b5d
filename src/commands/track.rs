//! `shipgate track --carrier CODE --parse FILE`: a saved carrier tracking answer →
//! canonical events as JSON, the way the `Track` job will read it.

use anyhow::Context;
use shipgate_carriers::track;
use std::path::Path;
use std::process::ExitCode;

pub(crate) fn run(
    config_path: &Path,
    carrier: &str,
    file: &Path,
    number: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let registry = super::load_registry(config_path)?;
    // An API name (`laposte`), or a carrier code served by exactly one API (`colissimo`).
    let apis: Vec<(&str, &str)> = track::apis().collect();
    let api = match apis.iter().find(|(api, _)| *api == carrier) {
        Some((api, _)) => *api,
        None => match apis
            .iter()
            .filter(|(_, code)| *code == carrier)
            .collect::<Vec<_>>()
            .as_slice()
        {
            [(api, _)] => *api,
            [] => anyhow::bail!(
                "no tracking parser for {carrier:?}; known: {}",
                apis.iter()
                    .map(|(api, _)| *api)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            several => anyhow::bail!(
                "carrier {carrier:?} has several tracking APIs; name one: {}",
                several
                    .iter()
                    .map(|(api, _)| *api)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        },
    };
    let body = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    match registry.parse_tracking(api, &body, number) {
        Ok(updates) => {
            println!("{}", serde_json::to_string_pretty(&updates)?);
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => {
            eprintln!("error: {}: {err}", file.display());
            Ok(ExitCode::FAILURE)
        }
    }
}
