//! Orders files with one row per line item (Shopify's "Orders → Export"): consecutive
//! rows with the same order key form one order, order-level columns are read from its
//! first row (they are blank on continuation rows), each row adds one line.

use crate::cells::{broken_row, RowCtx, RowResult};
use crate::error::{CsvError, RowError};
use crate::header;
use crate::order_mapping::{map_head, map_line, Head, OrderColumns, OrderDates};
use crate::rows::{Row, Splitter};
use crate::{Template, TemplateKind};
use shipgate_sdk::model::{content_hash, Channel, Order, OrderLine, SourceRef};
use shipgate_sdk::Origin;
use std::io::{self, Read};
use ulid::Ulid;

/// The channel name stamped on every order read from a CSV file.
pub const CSV_CHANNEL: &str = "csv";

/// One order read from a file: the canonical order and the bytes it was made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvOrder {
    /// 1-based line of the order's first row.
    pub line: u64,
    /// The header line and the order's rows, each ended by `\n`: a self-contained CSV
    /// file, stored as the raw payload and replayable through [`OrdersReader`].
    pub raw: Vec<u8>,
    /// The mapped, validated order; its `raw_hash` is the content hash of `raw`.
    pub order: Order,
}

/// The order being gathered from consecutive rows.
struct Group {
    key: String,
    first_line: u64,
    first_raw: Vec<u8>,
    raw: Vec<u8>,
    head: Option<Head>,
    lines: Vec<OrderLine>,
    error: Option<Box<RowError>>,
}

/// Streams an orders file: one `Result` per order. A bad row spoils only its own order
/// (reported once, with the row at fault and all the order's rows); memory holds one
/// order at a time.
pub struct OrdersReader<R> {
    rows: Splitter<R>,
    asm: Assembler,
    headers: Vec<String>,
    io_error: Option<io::Error>,
    last_line: u64,
    done: bool,
}

/// Everything but the splitter, so a row borrowed from the splitter can be handed to it.
struct Assembler {
    file: String,
    origin: Origin,
    width: usize,
    header_raw: Vec<u8>,
    columns: OrderColumns,
    dates: OrderDates,
    group: Option<Group>,
}

impl<R: Read> OrdersReader<R> {
    /// Reads the header of `reader` and checks it against `template` (kind `orders`).
    /// Orders are stamped with `origin`'s tenant, merchant and connector; `file` names
    /// the file in every error.
    pub fn new(
        reader: R,
        template: &Template,
        origin: &Origin,
        file: impl Into<String>,
    ) -> Result<Self, CsvError> {
        let file = file.into();
        let (rows, header, header_raw) =
            header::open(reader, template, TemplateKind::Orders, &file)?;
        let asm = Assembler {
            file,
            origin: origin.clone(),
            width: header.names.len(),
            header_raw,
            columns: OrderColumns::resolve(&header, template),
            dates: OrderDates::new(template),
            group: None,
        };
        Ok(Self {
            rows,
            asm,
            headers: header.names,
            io_error: None,
            last_line: 1,
            done: false,
        })
    }

    /// Bytes consumed from the reader so far, for a progress bar.
    pub fn position(&self) -> u64 {
        self.rows.position()
    }

    /// The file's header names, as written.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The read error that ended the iteration early, if one did: the file was not read
    /// to its end and must not be treated as done.
    pub fn io_error(&self) -> Option<&io::Error> {
        self.io_error.as_ref()
    }
}

impl Assembler {
    fn new_group(&self, key: &str, line: u64) -> Group {
        let mut raw = self.header_raw.clone();
        raw.push(b'\n');
        Group {
            key: key.to_string(),
            first_line: line,
            first_raw: Vec::new(),
            raw,
            head: None,
            lines: Vec::new(),
            error: None,
        }
    }

    /// Adds a data row to the order it belongs to; returns an order finished by it (the
    /// row starts another one) or an error that belongs to no order. A blank key
    /// continues the current order.
    fn take_record(&mut self, row: &RowCtx<'_>) -> Option<RowResult<CsvOrder>> {
        let key = match row.text(&self.columns.key) {
            Ok(key) => key,
            Err(e) => return self.spoil_current(row.raw, e),
        };
        let key = match (key, &self.group) {
            (Some(k), _) => k.to_string(),
            (None, Some(g)) => g.key.clone(),
            (None, None) => {
                let e = row.error(
                    Some(&self.columns.key),
                    Some(""),
                    "empty order key on a row that follows no order",
                );
                return Some(Err(e));
            }
        };
        let mut finished = None;
        if self.group.as_ref().is_none_or(|g| g.key != key) {
            let next = self.new_group(&key, row.line);
            finished = self.group.replace(next).map(|g| self.finish(g));
        }
        let Some(group) = self.group.as_mut() else {
            return finished;
        };
        group.raw.extend_from_slice(row.raw);
        group.raw.push(b'\n');
        if group.error.is_none() {
            if let Err(e) = add_row(group, row, self.width, &self.columns, &mut self.dates) {
                group.error = Some(e);
            }
        }
        finished
    }

    /// A row whose order cannot be told spoils the order being read, if any (it may be
    /// one of its lines); otherwise it is reported on its own.
    fn spoil_current(&mut self, raw: &[u8], err: Box<RowError>) -> Option<RowResult<CsvOrder>> {
        match self.group.as_mut() {
            Some(group) => {
                group.raw.extend_from_slice(raw);
                group.raw.push(b'\n');
                group.error.get_or_insert(err);
                None
            }
            None => Some(Err(err)),
        }
    }

    /// Turns a gathered group into the canonical order, validated, or its error.
    fn finish(&self, group: Group) -> RowResult<CsvOrder> {
        let order_raw = Some(String::from_utf8_lossy(&group.raw).into_owned());
        if let Some(mut err) = group.error {
            err.order_raw = order_raw;
            return Err(err);
        }
        let invalid = |value: Option<String>, reason: String| {
            Box::new(RowError {
                file: self.file.clone(),
                line: group.first_line,
                column: None,
                value,
                reason,
                raw: String::from_utf8_lossy(&group.first_raw).into_owned(),
                order_raw: order_raw.clone(),
            })
        };
        let Some(head) = group.head else {
            return Err(invalid(None, "order has no readable first row".into()));
        };
        let order = Order {
            id: Ulid::new(),
            tenant: self.origin.tenant.clone(),
            merchant: self.origin.merchant.clone(),
            source: SourceRef {
                channel: Channel::new(CSV_CHANNEL),
                connector_id: self.origin.connector_id.clone(),
                external_id: head.external_id.unwrap_or_else(|| group.key.clone()),
                external_number: Some(group.key.clone()),
            },
            created_at: head.created_at,
            updated_at: head.updated_at,
            status: head.status,
            total: head.total,
            lines: group.lines,
            ship_to: head.ship_to,
            payment: head.payment,
            delivery: head.delivery,
            raw_hash: content_hash(&group.raw),
        };
        if let Err(v) = order.validate() {
            return Err(invalid(
                Some(v.value.clone()),
                format!("invalid order: {}: {}", v.path, v.reason),
            ));
        }
        Ok(CsvOrder {
            line: group.first_line,
            raw: group.raw,
            order,
        })
    }
}

/// Maps one row into its group: the order-level columns on the group's first row, and
/// one line from every row.
fn add_row(
    group: &mut Group,
    row: &RowCtx<'_>,
    width: usize,
    columns: &OrderColumns,
    dates: &mut OrderDates,
) -> RowResult<()> {
    row.check_width(width)?;
    let head = match &group.head {
        Some(head) => head,
        None => {
            group.first_raw = row.raw.to_vec();
            group.head.insert(map_head(row, columns, dates)?)
        }
    };
    let line = map_line(row, columns, head.total.currency)?;
    group.lines.push(line);
    Ok(())
}

impl<R: Read> Iterator for OrdersReader<R> {
    type Item = Result<CsvOrder, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            let outcome = match self.rows.next_row() {
                Ok(Some(Row::Broken { line, raw, reason })) => {
                    self.last_line = line;
                    let err = Box::new(broken_row(&self.asm.file, line, raw, reason));
                    self.asm.spoil_current(raw, err)
                }
                Ok(Some(Row::Record { line, raw, fields })) => {
                    self.last_line = line;
                    let file = self.asm.file.clone();
                    self.asm.take_record(&RowCtx {
                        file: &file,
                        line,
                        raw,
                        fields,
                    })
                }
                Ok(None) => {
                    self.done = true;
                    None
                }
                Err(e) => {
                    self.done = true;
                    let reason =
                        format!("read error after this line, file not read to its end: {e}");
                    let err = Box::new(broken_row(&self.asm.file, self.last_line, b"", reason));
                    self.io_error = Some(e);
                    self.asm.spoil_current(b"", err)
                }
            };
            match outcome {
                Some(Ok(order)) => return Some(Ok(order)),
                Some(Err(e)) => return Some(Err(*e)),
                None => {}
            }
        }
        let last = self.asm.group.take()?;
        Some(self.asm.finish(last).map_err(|e| *e))
    }
}
