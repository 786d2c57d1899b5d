//! The supplier tracking file the demo drops: one row per order to ship, the way real
//! suppliers write them (order numbers with and without '#', several carriers, a few
//! repeated rows), plus the rows that go wrong in real life.

use std::fmt::Write as _;

/// One order the supplier shipped.
pub(super) struct Shipped<'a> {
    /// The order number as the shop shows it (`#1001`).
    pub(super) name: &'a str,
    /// The order's position, to derive stable tracking numbers.
    pub(super) index: usize,
}

/// What the file holds, for the summary to check against.
pub(super) struct SupplierFile {
    pub(super) text: String,
    pub(super) repeated_rows: usize,
    pub(super) bad_rows: usize,
    pub(super) unknown_orders: usize,
}

const CARRIERS: &[&str] = &[
    "UPS",
    "DHL Express",
    "Colissimo",
    "USPS",
    "Chronopost",
    "GLS",
    "FedEx",
];

/// A tracking number shaped like the named carrier's.
fn tracking_number(carrier: &str, index: usize) -> String {
    let n = 100_000_000 + index as u64 * 7_919;
    match carrier {
        "UPS" => format!("1Z999AA1{n:010}"),
        "DHL Express" => format!("{:010}", 3_000_000_000 + n),
        "Colissimo" => format!("6A{:011}", 20_000_000_000 + n),
        "USPS" => format!("9400111{:015}", n),
        "Chronopost" => format!("XY{n:09}FR"),
        "GLS" => format!("{:011}", 50_000_000_000 + n),
        _ => format!("{:012}", 700_000_000_000 + n),
    }
}

/// Builds the file: every shipped order once, every 25th twice, then the bad rows.
pub(super) fn build(orders: &[Shipped<'_>]) -> SupplierFile {
    let mut text = String::from("order_number,tracking_number,carrier,shipped_at\n");
    let mut repeated_rows = 0;
    for o in orders {
        let carrier = CARRIERS[o.index % CARRIERS.len()];
        let reference = if o.index % 2 == 0 {
            o.name.to_string()
        } else {
            o.name.trim_start_matches('#').to_string()
        };
        let row = format!(
            "{reference},{},{carrier},2026-11-{:02} {:02}:{:02}:00 +0100\n",
            tracking_number(carrier, o.index),
            1 + o.index % 20,
            8 + o.index % 10,
            o.index % 60
        );
        text.push_str(&row);
        if o.index % 25 == 0 {
            text.push_str(&row);
            repeated_rows += 1;
        }
    }
    let bad = [
        "#99999,1Z999AA10999999999,UPS,2026-11-20 10:00:00 +0100", // no such order
        "#1002,1Z999AA10888888888,UPS,2026-13-45 10:00:00 +0100",  // impossible date
        "#1003,N/A,DHL Express,2026-11-20 10:00:00 +0100",         // not a tracking number
        "#1004,1Z999AA10777777777",                                // missing columns
    ];
    for row in bad {
        let _ = writeln!(text, "{row}");
    }
    SupplierFile {
        text,
        repeated_rows,
        bad_rows: bad.len() - 1,
        unknown_orders: 1,
    }
}
