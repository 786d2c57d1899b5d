//! A synthetic supplier tracking file, shared by the `gen_supplier` example and the
//! `import` bench: 7 columns like the peer benchmark's (`order_id, sku, qty, carrier,
//! tracking_number, shipped_at, note`), every 10th row with a quoted note holding escaped
//! quotes, and about 1% malformed rows in three kinds.

use std::io::{self, Write};

/// Carrier names as suppliers write them.
const CARRIERS: [&str; 6] = [
    "UPS",
    "DHL",
    "FedEx",
    "La Poste",
    "YunExpress",
    "SF Express",
];

/// Writes the header and `rows` rows. One row in 100 is malformed, the kind rotating
/// from one hundred to the next: an unbalanced quote (row 37 of the hundred), a bad
/// date (row 61), a bad tracking number (row 85).
pub fn write_supplier_file(out: &mut impl Write, rows: u64) -> io::Result<()> {
    writeln!(
        out,
        "order_id,sku,qty,carrier,tracking_number,shipped_at,note"
    )?;
    for i in 0..rows {
        let carrier = CARRIERS[(i % 6) as usize];
        let number = i.wrapping_mul(2_654_435_761) & 0xFFFF_FFFF_FFFF;
        let (day, hour, minute) = (1 + i % 28, i % 24, i % 60);
        let bad = if i % 100 == 37 + (i / 100 % 3) * 24 {
            Some((i / 100) % 3)
        } else {
            None
        };
        match bad {
            Some(0) => writeln!(
                out,
                "SO-{i:08},SKU-{:05},{},\"{carrier},1Z{number:016X},2026-11-{day:02}T{hour:02}:{minute:02}:00Z,",
                i % 50_000,
                1 + i % 5
            )?,
            Some(1) => writeln!(
                out,
                "SO-{i:08},SKU-{:05},{},{carrier},1Z{number:016X},2026-13-{day:02}T{hour:02}:{minute:02}:00Z,",
                i % 50_000,
                1 + i % 5
            )?,
            Some(_) => writeln!(
                out,
                "SO-{i:08},SKU-{:05},{},{carrier},1Z/{number:X},2026-11-{day:02}T{hour:02}:{minute:02}:00Z,",
                i % 50_000,
                1 + i % 5
            )?,
            None => {
                let note = if i % 10 == 0 { format!("\"fragile, \"\"handle\"\" with care #{i}\"") } else { String::new() };
                writeln!(
                    out,
                    "SO-{i:08},SKU-{:05},{},{carrier},1Z{number:016X},2026-11-{day:02}T{hour:02}:{minute:02}:00Z,{note}",
                    i % 50_000,
                    1 + i % 5
                )?
            }
        }
    }
    Ok(())
}
