//! Own-fleet labels as a minimal PDF 1.4: one 4×6 in page (288×432 pt) per parcel, the
//! text in the standard Helvetica font, so any viewer prints it without embedded fonts.
//! Written by hand (catalog, pages, font, one page and one content stream per parcel, a
//! cross-reference table with exact byte offsets): a label needs a few text lines, not a
//! PDF crate.
//!
//! Text is encoded in WinAnsiEncoding: Latin-1 letters (é, ü…) are written as octal
//! escapes, characters outside it as `?`.

use super::LabelPage;

/// Page size in points: 4 × 6 inches.
const WIDTH: u32 = 288;
const HEIGHT: u32 = 432;

/// The PDF of every page.
pub(super) fn render(pages: &[LabelPage]) -> Vec<u8> {
    // Objects: 1 catalog, 2 page tree, 3 font, then (page, content) per parcel.
    let kids: Vec<String> = (0..pages.len())
        .map(|i| format!("{} 0 R", 4 + 2 * i))
        .collect();
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            pages.len()
        )
        .into_bytes(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_vec(),
    ];
    for (i, page) in pages.iter().enumerate() {
        let content = content(page);
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {WIDTH} {HEIGHT}] \
                 /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
                5 + 2 * i
            )
            .into_bytes(),
        );
        let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
        stream.extend_from_slice(&content);
        stream.extend_from_slice(b"\nendstream");
        objects.push(stream);
    }
    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// The page's drawing operators: text lines top-down.
fn content(page: &LabelPage) -> Vec<u8> {
    let mut lines: Vec<(u32, &str)> = vec![
        (16, page.fleet.as_str()),
        (10, page.service.as_str()),
        (10, page.parcel.as_str()),
        (20, page.number.as_str()),
    ];
    lines.extend(page.to.iter().map(|l| (12, l.as_str())));
    let reference = format!("Ref: {}", page.reference);
    lines.push((10, reference.as_str()));
    let mut out = Vec::new();
    let mut y = HEIGHT - 36;
    for (size, line) in lines {
        out.extend_from_slice(format!("BT /F1 {size} Tf 18 {y} Td (").as_bytes());
        out.extend_from_slice(&escape(line));
        out.extend_from_slice(b") Tj ET\n");
        y = y.saturating_sub(size + 10);
    }
    out
}

/// A PDF literal string's bytes in WinAnsiEncoding.
fn escape(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '(' | ')' | '\\' => {
                out.push(b'\\');
                out.push(c as u8);
            }
            ' '..='~' => out.push(c as u8),
            '\u{a0}'..='\u{ff}' => out.extend_from_slice(format!("\\{:03o}", c as u32).as_bytes()),
            _ => out.push(b'?'),
        }
    }
    out
}
