//! Tracking-file import throughput: the bare `csv` crate `ByteRecord` loop (the parse
//! ceiling) against `TrackingReader` (split + map + validate every row), on the same
//! synthetic supplier file held in memory.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use shipgate_csv::{Template, TrackingReader};
use std::path::Path;

#[path = "../examples/support/supplier_file.rs"]
mod supplier_file;

const ROWS: u64 = 100_000;

fn import(c: &mut Criterion) {
    let mut data = Vec::new();
    supplier_file::write_supplier_file(&mut data, ROWS).expect("writing to a Vec cannot fail");
    let mappings =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../mappings/csv/supplier-tracking.toml");
    let template = Template::load(mappings).expect("supplier-tracking template loads");

    let mut group = c.benchmark_group("supplier_100k");
    group.throughput(Throughput::Elements(ROWS));
    group.sample_size(10);
    group.bench_function("csv_byte_record_ceiling", |b| {
        b.iter(|| {
            let mut rdr = csv::ReaderBuilder::new()
                .flexible(true)
                .from_reader(data.as_slice());
            let mut rec = csv::ByteRecord::new();
            let mut n = 0u64;
            while rdr.read_byte_record(&mut rec).unwrap_or(false) {
                n += 1;
            }
            n
        })
    });
    group.bench_function("tracking_reader", |b| {
        b.iter(|| {
            let reader = TrackingReader::new(data.as_slice(), &template, "bench.csv")
                .expect("header is fine");
            reader.fold((0u64, 0u64), |(ok, bad), r| {
                if r.is_ok() {
                    (ok + 1, bad)
                } else {
                    (ok, bad + 1)
                }
            })
        })
    });
    group.finish();
}

criterion_group!(benches, import);
criterion_main!(benches);
