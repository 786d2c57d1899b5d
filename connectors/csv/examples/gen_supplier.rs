//! Writes a synthetic supplier tracking file with ~1% malformed rows, for measuring the
//! import: `cargo run -p shipgate-csv --release --example gen_supplier -- /tmp/s1m.csv 1000000`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

#[path = "support/supplier_file.rs"]
mod supplier_file;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(path), Some(rows)) = (
        args.first(),
        args.get(1).and_then(|n| n.parse::<u64>().ok()),
    ) else {
        eprintln!("usage: gen_supplier PATH ROWS");
        return ExitCode::from(2);
    };
    let result = File::create(path).and_then(|f| {
        let mut out = BufWriter::new(f);
        supplier_file::write_supplier_file(&mut out, rows)?;
        out.flush()
    });
    match result {
        Ok(()) => {
            println!("wrote {rows} rows to {path}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{path}: {e}");
            ExitCode::FAILURE
        }
    }
}
