//! Imports a CSV file through a column template: a supplier tracking file becomes
//! shipments matched to orders plus one `PushBack` job per new shipment; an orders export
//! becomes canonical orders. Bad rows and unmatched references go to quarantine with the
//! file, line, column and reason; the rest of the file goes on.
//!
//! The file is read on a blocking thread and handed over in bounded batches, so memory
//! stays flat however large the file; each batch is matched with one lookup query and
//! written in one transaction.

use super::carriers;
use crate::host::Host;
use crate::queue::{Job, QueueError};
use crate::store::{Lookup, NewQuarantine, StoreError};
use sha2::{Digest, Sha256};
use shipgate_csv::{
    CsvError, CsvOrder, OrdersReader, RowError, Template, TemplateKind, TrackingReader,
    TrackingRecord,
};
use shipgate_sdk::model::Shipment;
use shipgate_sdk::Origin;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::PathBuf;
use tokio::sync::mpsc;
use ulid::Ulid;

/// Rows handed from the reading thread to the writer at a time.
const BATCH_ROWS: usize = 2_000;
/// Batches in flight between the two: bounds memory.
const BATCHES_IN_FLIGHT: usize = 4;

/// What to import.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    /// The connector the file belongs to (a csv_drop id, or `import` from the CLI):
    /// quarantine entries and raw payloads are filed under it.
    pub connector_id: String,
    /// The tenant whose orders the rows refer to (and who owns imported orders).
    pub tenant: String,
    /// The merchant imported orders belong to.
    pub merchant: String,
    /// The file.
    pub path: PathBuf,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    /// Data rows read (or orders, for an orders export).
    pub rows: u64,
    /// Rows refused by the reader (bad quoting, dates, numbers…).
    pub bad_rows: u64,
    /// Tracking rows whose order reference matched no order, or several.
    pub unmatched: u64,
    /// New shipments recorded, each with a `PushBack` job.
    pub shipments_created: u64,
    /// Rows that repeated a shipment already recorded: not pushed again.
    pub duplicate_rows: u64,
    /// Orders created or updated from an orders export.
    pub orders_upserted: u64,
    /// SHA-256 of the file.
    pub raw_hash: String,
}

impl ImportReport {
    /// Everything sent to quarantine.
    pub fn quarantined(&self) -> u64 {
        self.bad_rows + self.unmatched
    }
}

/// Why a file could not be imported at all (a bad row never fails the file).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be opened or read to its end.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The header does not fit the template (missing column, empty file…).
    #[error(transparent)]
    Csv(#[from] CsvError),
    /// The store failed.
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// Jobs could not be enqueued.
    #[error("queue: {0}")]
    Queue(#[from] QueueError),
}

enum Batch {
    Tracking(Vec<Result<TrackingRecord, RowError>>, u64),
    Orders(Vec<Result<CsvOrder, RowError>>, u64),
}

/// Imports `request.path` with `template`, calling `progress` with the bytes read so far
/// after each batch.
pub async fn import_file(
    host: &Host,
    template: &Template,
    request: &ImportRequest,
    mut progress: impl FnMut(u64),
) -> Result<ImportReport, ImportError> {
    let path_text = request.path.display().to_string();
    let io_err = |source| ImportError::Io {
        path: path_text.clone(),
        source,
    };
    let file = File::open(&request.path).map_err(io_err)?;
    let name = file_label(request);
    let hasher = HashingReader {
        inner: file,
        hasher: Sha256::new(),
        size: 0,
    };
    let (tx, mut rx) = mpsc::channel::<Batch>(BATCHES_IN_FLIGHT);
    let origin = Origin {
        tenant: request.tenant.clone(),
        merchant: request.merchant.clone(),
        connector_id: request.connector_id.clone(),
    };
    let template = template.clone();
    let reader =
        tokio::task::spawn_blocking(move || read_batches(hasher, &template, &origin, name, tx));

    let mut report = ImportReport::default();
    while let Some(batch) = rx.recv().await {
        let position = match batch {
            Batch::Tracking(rows, position) => {
                write_tracking(host, request, rows, &mut report).await?;
                position
            }
            Batch::Orders(rows, position) => {
                write_orders(host, request, rows, &mut report).await?;
                position
            }
        };
        progress(position);
    }
    let (hash, size) = reader
        .await
        .map_err(|e| io_err(io::Error::other(e)))?
        .map_err(|e| match e {
            ReadFailure::Csv(e) => ImportError::Csv(e),
            ReadFailure::Io(e) => io_err(e),
        })?;
    host.store
        .put_raw_file(&request.connector_id, "text/csv", &hash, &path_text, size)
        .await?;
    report.raw_hash = hash;
    Ok(report)
}

enum ReadFailure {
    Csv(CsvError),
    Io(io::Error),
}

/// The reading thread: streams rows in batches; returns the file's hash and size once
/// it has read it all.
fn read_batches(
    mut source: HashingReader<File>,
    template: &Template,
    origin: &Origin,
    name: String,
    tx: mpsc::Sender<Batch>,
) -> Result<(String, u64), ReadFailure> {
    let failed = match template.kind() {
        TemplateKind::Tracking => {
            let mut rows =
                TrackingReader::new(&mut source, template, name).map_err(ReadFailure::Csv)?;
            send_in_batches(
                &mut rows,
                BATCH_ROWS,
                TrackingReader::position,
                Batch::Tracking,
                &tx,
            );
            rows.io_error()
                .map(|e| io::Error::new(e.kind(), e.to_string()))
        }
        TemplateKind::Orders => {
            let mut rows =
                OrdersReader::new(&mut source, template, origin, name).map_err(ReadFailure::Csv)?;
            send_in_batches(
                &mut rows,
                BATCH_ROWS / 4,
                OrdersReader::position,
                Batch::Orders,
                &tx,
            );
            rows.io_error()
                .map(|e| io::Error::new(e.kind(), e.to_string()))
        }
    };
    if let Some(e) = failed {
        return Err(ReadFailure::Io(e));
    }
    drop(tx);
    io::copy(&mut source, &mut io::sink()).map_err(ReadFailure::Io)?;
    Ok((hex::encode(source.hasher.finalize()), source.size))
}

/// Hands a reader's rows to the writer `size` at a time with the bytes read so far;
/// stops early when the writer has gone (it failed and will report why).
fn send_in_batches<I: Iterator>(
    rows: &mut I,
    size: usize,
    position: impl Fn(&I) -> u64,
    wrap: impl Fn(Vec<I::Item>, u64) -> Batch,
    tx: &mpsc::Sender<Batch>,
) {
    loop {
        let batch: Vec<_> = rows.by_ref().take(size).collect();
        if batch.is_empty() || tx.blocking_send(wrap(batch, position(rows))).is_err() {
            break;
        }
    }
}

async fn write_tracking(
    host: &Host,
    request: &ImportRequest,
    rows: Vec<Result<TrackingRecord, RowError>>,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    let mut records = Vec::with_capacity(rows.len());
    for row in rows {
        report.rows += 1;
        match row {
            Ok(record) => records.push(record),
            Err(err) => {
                report.bad_rows += 1;
                quarantine_row(host, request, &err, err.raw.clone().into_bytes()).await?;
            }
        }
    }
    let refs: Vec<&str> = records.iter().map(|r| r.order_ref.as_str()).collect();
    let found: HashMap<String, Lookup> = host
        .store
        .find_orders_by_refs(&request.tenant, None, &refs)
        .await?;
    let mut shipments: Vec<(Ulid, Shipment)> = Vec::with_capacity(records.len());
    for record in records {
        let order_id = match found.get(&record.order_ref) {
            Some(Lookup::Found(order)) => order.id,
            other => {
                report.unmatched += 1;
                let reason = match other {
                    Some(Lookup::Ambiguous(ids)) => format!(
                        "order reference {:?} matches {} orders of tenant {:?}; give the order id instead",
                        record.order_ref,
                        ids.len(),
                        request.tenant
                    ),
                    _ => format!("no order of tenant {:?} has the number or id {:?}", request.tenant, record.order_ref),
                };
                let input = serde_json::to_vec(&serde_json::json!({
                    "order_ref": record.order_ref,
                    "tracking_number": record.tracking_number,
                    "carrier": record.carrier_name,
                    "tracking_url": record.tracking_url,
                    "shipped_at": record.shipped_at,
                }))
                .unwrap_or_default();
                host.store
                    .quarantine(&NewQuarantine {
                        connector_id: request.connector_id.clone(),
                        kind: "tracking".into(),
                        input,
                        location: format!("{}, line {}", file_label(request), record.line),
                        reason,
                        raw_hash: None,
                    })
                    .await?;
                continue;
            }
        };
        shipments.push((
            order_id,
            carriers::supplier_shipment(
                host.pipeline.registry(),
                record.tracking_number,
                record.carrier_name,
                record.tracking_url,
                record.shipped_at,
            ),
        ));
    }
    if shipments.is_empty() {
        return Ok(());
    }
    let added = host.store.add_shipments(&shipments).await?;
    let mut jobs = Vec::new();
    for (id, created) in added {
        if created {
            report.shipments_created += 1;
            jobs.push(Job::PushBack { shipment_id: id });
        } else {
            report.duplicate_rows += 1;
        }
    }
    host.queue.push_many(jobs).await?;
    Ok(())
}

async fn write_orders(
    host: &Host,
    request: &ImportRequest,
    rows: Vec<Result<CsvOrder, RowError>>,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    let mut orders = Vec::with_capacity(rows.len());
    for row in rows {
        report.rows += 1;
        match row {
            Ok(csv_order) => {
                host.store
                    .put_raw(&request.connector_id, "text/csv", &csv_order.raw)
                    .await?;
                orders.push(csv_order.order);
            }
            Err(err) => {
                report.bad_rows += 1;
                let input = err
                    .order_raw
                    .clone()
                    .unwrap_or_else(|| err.raw.clone())
                    .into_bytes();
                quarantine_row(host, request, &err, input).await?;
            }
        }
    }
    report.orders_upserted += host.store.upsert_orders(&orders).await?.len() as u64;
    Ok(())
}

async fn quarantine_row(
    host: &Host,
    request: &ImportRequest,
    err: &RowError,
    input: Vec<u8>,
) -> Result<(), ImportError> {
    let mut location = format!("{}, line {}", err.file, err.line);
    if let Some(column) = &err.column {
        location.push_str(&format!(", column {column:?}"));
    }
    let reason = match &err.value {
        Some(value) => format!("{} (value: {value:?})", err.reason),
        None => err.reason.clone(),
    };
    host.store
        .quarantine(&NewQuarantine {
            connector_id: request.connector_id.clone(),
            kind: "csv_row".into(),
            input,
            location,
            reason,
            raw_hash: None,
        })
        .await?;
    Ok(())
}

/// How quarantine locations name the file: its name, as the reader's row errors do.
fn file_label(request: &ImportRequest) -> String {
    request
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| request.path.display().to_string())
}

/// Hashes what passes through, so the file is read once for both parse and hash.
struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    size: u64,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }
}
