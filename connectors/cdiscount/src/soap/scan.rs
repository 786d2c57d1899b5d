//! One pass of quick-xml's pull `Reader` over a SOAP payload: where each `<Order>`
//! element of an `<OrderList>` starts and ends, so a page is split into raw orders
//! without parsing them, and one broken order never fails its neighbours.

use crate::mapping::line_column;
use quick_xml::events::Event;
use quick_xml::Reader;
use std::ops::Range;

/// What the scan found.
#[derive(Debug, Default)]
pub struct Scan {
    /// Local name of the document element (`Envelope`, `Order`).
    pub root: String,
    /// Byte ranges of each `<Order>…</Order>` inside an `<OrderList>`.
    pub orders: Vec<Range<usize>>,
}

/// A syntax error with its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// The reader's explanation.
    pub reason: String,
}

/// Scans `bytes`; a malformed document (bad syntax, mismatched or missing end tags) is
/// an error with its line and column.
pub fn scan(bytes: &[u8]) -> Result<Scan, SyntaxError> {
    let mut reader = Reader::from_reader(bytes);
    let mut out = Scan::default();
    let mut stack: Vec<Vec<u8>> = Vec::new();
    let mut open: Option<(usize, usize)> = None;
    loop {
        let before = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| {
            let (line, column) = line_column(bytes, reader.error_position() as usize);
            SyntaxError {
                line,
                column,
                reason: e.to_string(),
            }
        })?;
        match event {
            Event::Start(start) => {
                let name = start.local_name().into_inner().as_bytes().to_vec();
                if stack.is_empty() {
                    out.root = String::from_utf8_lossy(&name).into_owned();
                }
                if name == b"Order"
                    && stack.last().is_some_and(|p| p == b"OrderList")
                    && open.is_none()
                {
                    open = Some((before, stack.len()));
                }
                stack.push(name);
            }
            Event::Empty(start) if stack.is_empty() => {
                out.root = start.local_name().into_inner().to_string();
            }
            Event::End(_) => {
                stack.pop();
                if let Some((from, depth)) = open {
                    if stack.len() == depth {
                        out.orders.push(from..reader.buffer_position() as usize);
                        open = None;
                    }
                }
            }
            Event::Eof => {
                if !stack.is_empty() {
                    let (line, column) = line_column(bytes, bytes.len());
                    return Err(SyntaxError {
                        line,
                        column,
                        reason: format!(
                            "document ends inside <{}>",
                            String::from_utf8_lossy(stack.last().map_or(&[][..], |v| v))
                        ),
                    });
                }
                if out.root.is_empty() {
                    return Err(SyntaxError {
                        line: 1,
                        column: 1,
                        reason: "no element".into(),
                    });
                }
                return Ok(out);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_orders_and_refuses_truncation() {
        let xml = b"<s:Envelope xmlns:s=\"x\"><s:Body><R><OrderList><Order><A>1</A></Order><Order><A>2</A></Order></OrderList></R></s:Body></s:Envelope>";
        let s = scan(xml).unwrap();
        assert_eq!(s.root, "Envelope");
        assert_eq!(s.orders.len(), 2);
        assert_eq!(&xml[s.orders[1].clone()], b"<Order><A>2</A></Order>");
        let err = scan(&xml[..60]).unwrap_err();
        assert_eq!((err.line, err.column), (1, 58), "{err:?}");
        let err = scan(&xml[..xml.len() - 13]).unwrap_err();
        assert!(err.reason.contains("ends inside"), "{err:?}");
    }
}
