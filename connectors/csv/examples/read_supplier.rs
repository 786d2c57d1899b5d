//! Reads a supplier tracking file to its end with the `supplier-tracking` template and
//! prints rows/s, for measuring throughput and peak RSS:
//! `/usr/bin/time -f '%M KB %e s' target/release/examples/read_supplier /tmp/s1m.csv`.

use shipgate_csv::{Template, TrackingReader};
use std::fs::File;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: read_supplier PATH");
        return ExitCode::from(2);
    };
    let template_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../mappings/csv/supplier-tracking.toml");
    let template = match Template::load(&template_path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let started = Instant::now();
    let reader = match File::open(&path)
        .map_err(|e| e.to_string())
        .and_then(|f| TrackingReader::new(f, &template, path.clone()).map_err(|e| e.to_string()))
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let (mut ok, mut bad) = (0u64, 0u64);
    let mut first_errors = Vec::new();
    for result in reader {
        match result {
            Ok(_) => ok += 1,
            Err(e) => {
                bad += 1;
                if first_errors.len() < 3 {
                    first_errors.push(e.to_string());
                }
            }
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let rows = ok + bad;
    println!(
        "{{\"rows\":{rows},\"ok\":{ok},\"rejected\":{bad},\"secs\":{secs:.3},\"rows_per_s\":{:.0}}}",
        rows as f64 / secs
    );
    for e in first_errors {
        eprintln!("e.g. {e}");
    }
    ExitCode::SUCCESS
}
