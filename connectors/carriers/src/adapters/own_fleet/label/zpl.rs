//! Own-fleet labels in ZPL II for 4×6 in thermal printers at 203 dpi: one `^XA…^XZ`
//! format per parcel, the tracking number as a Code 128 barcode.
//!
//! Text fields go through `^FH` hex escapes, so a `^` or `~` in an address cannot end the
//! field or inject a printer command; `^CI28` makes the printer read UTF-8.

use super::LabelPage;

/// The ZPL of every page, concatenated.
pub(super) fn render(pages: &[LabelPage]) -> Vec<u8> {
    let mut out = String::new();
    for page in pages {
        out.push_str("^XA\n^CI28\n^PW812\n^LL1218\n");
        text(&mut out, 40, 40, 50, &page.fleet);
        text(&mut out, 40, 110, 30, &page.service);
        text(&mut out, 600, 110, 30, &page.parcel);
        out.push_str(&format!(
            "^FO40,170^BY3^BCN,200,Y,N,N^FD{}^FS\n",
            page.number.as_str()
        ));
        let mut y = 450;
        for line in &page.to {
            text(&mut out, 40, y, 40, line);
            y += 55;
        }
        text(&mut out, 40, 1120, 30, &format!("Ref: {}", page.reference));
        out.push_str("^XZ\n");
    }
    out.into_bytes()
}

fn text(out: &mut String, x: u32, y: u32, height: u32, value: &str) {
    out.push_str(&format!(
        "^FO{x},{y}^A0N,{height},{height}^FH\\^FD{}^FS\n",
        escape(value)
    ));
}

/// `^FH\` hex escapes for the characters that would end or corrupt a field.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\5C"),
            '^' => out.push_str("\\5E"),
            '~' => out.push_str("\\7E"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}
