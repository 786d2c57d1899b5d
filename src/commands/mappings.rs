//! `shipgate mappings check`: every CSV template and carrier file loads, and every
//! mapping case under `tests/mappings` still gives what it pins.

use anyhow::Context;
use shipgate::mapping_cases::{run_case, CaseOutcome};
use shipgate_csv::Templates;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub(crate) fn run(config_path: &Path, cases: &Path) -> anyhow::Result<ExitCode> {
    let mappings = super::mappings_dir(config_path)?;
    let templates = Templates::load_dir(mappings.join("csv"))
        .with_context(|| format!("CSV templates in {}", mappings.join("csv").display()))?;
    println!("ok    {} CSV templates", templates.len());
    let registry = super::load_registry(config_path)?;
    println!("ok    {} carriers", registry.len());
    let mut files = Vec::new();
    collect(cases, &mut files).with_context(|| format!("reading {}", cases.display()))?;
    files.sort();
    let (mut passed, mut failed) = (0, 0);
    for file in &files {
        match run_case(file, &templates, &registry) {
            Ok(CaseOutcome::Passed { checked }) => {
                passed += 1;
                println!("ok    {} ({checked} checks)", file.display());
            }
            Ok(CaseOutcome::Failed(mismatches)) => {
                failed += 1;
                println!("FAIL  {}", file.display());
                for m in mismatches {
                    println!(
                        "        {}: expected {:?}, found {}",
                        m.path,
                        m.expected,
                        m.found
                            .map(|f| format!("{f:?}"))
                            .unwrap_or_else(|| "nothing".into())
                    );
                }
            }
            Err(err) => {
                failed += 1;
                println!("FAIL  {err}");
            }
        }
    }
    println!("mappings: {passed} passed, {failed} failed");
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
    Ok(())
}
