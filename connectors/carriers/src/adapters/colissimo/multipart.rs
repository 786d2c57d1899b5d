//! The SLS answer to `generateLabel` is MIME multipart (`multipart/mixed`, boundary
//! `uuid:…`): a JSON part with Content-ID `<jsonInfos>` and, on success, a binary part
//! `<label>` holding the PDF or ZPL as raw bytes. Shape as in karrio's Colissimo tests
//! (github.com/karrioapi/karrio, modules/connectors/colissimo/tests/colissimo/test_shipment.py).

/// One part: its Content-ID (without angle brackets) and its bytes.
#[derive(Debug)]
pub(crate) struct Part<'a> {
    /// `jsonInfos` or `label`.
    pub(crate) content_id: String,
    /// The part's body, the line break before the next boundary removed.
    pub(crate) body: &'a [u8],
}

/// The boundary named by a `Content-Type` header, quotes removed.
pub(crate) fn boundary(content_type: &str) -> Option<String> {
    content_type.split(';').find_map(|param| {
        let (key, value) = param.trim().split_once('=')?;
        key.eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_string())
    })
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// Splits `body` on `--boundary`; when the header gave none, the body's first line
/// names it. Parts without a header block are skipped; `None` when no part is found.
pub(crate) fn parts<'a>(body: &'a [u8], boundary: Option<&str>) -> Option<Vec<Part<'a>>> {
    let delimiter = match boundary {
        Some(b) => format!("--{b}").into_bytes(),
        None => {
            let start = find(body, b"--", 0)?;
            let end = find(body, b"\n", start)?;
            body[start..end].trim_ascii_end().to_vec()
        }
    };
    let mut parts = Vec::new();
    let mut at = find(body, &delimiter, 0)? + delimiter.len();
    loop {
        if body.get(at..at + 2) == Some(b"--") {
            break;
        }
        let next = find(body, &delimiter, at)?;
        let chunk = &body[at..next];
        let (headers, content) = split_headers(chunk)?;
        let content_id = headers
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.trim()
                    .eq_ignore_ascii_case("content-id")
                    .then(|| v.trim().trim_matches(['<', '>']).to_string())
            })
            .unwrap_or_default();
        let content = content
            .strip_suffix(b"\r\n")
            .or_else(|| content.strip_suffix(b"\n"))
            .unwrap_or(content);
        parts.push(Part {
            content_id,
            body: content,
        });
        at = next + delimiter.len();
    }
    (!parts.is_empty()).then_some(parts)
}

/// Headers (as text) and content of one part; the blank line is CRLF or LF.
fn split_headers(chunk: &[u8]) -> Option<(String, &[u8])> {
    let (end, skip) = find(chunk, b"\r\n\r\n", 0)
        .map(|p| (p, 4))
        .or_else(|| find(chunk, b"\n\n", 0).map(|p| (p, 2)))?;
    let headers = String::from_utf8_lossy(&chunk[..end]).into_owned();
    Some((headers, &chunk[end + skip..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_the_json_and_label_parts_with_crlf_or_lf() {
        let body = b"--uuid:a1\r\nContent-Type: application/json\r\nContent-ID: <jsonInfos>\r\n\r\n{\"messages\":[]}\r\n--uuid:a1\r\nContent-ID: <label>\r\n\r\n%PDF-1.4 x\r\n--uuid:a1--\r\n";
        let parts = parts(
            body,
            boundary("multipart/mixed; boundary=\"uuid:a1\"").as_deref(),
        )
        .unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].content_id, "jsonInfos");
        assert_eq!(parts[0].body, b"{\"messages\":[]}");
        assert_eq!(parts[1].body, b"%PDF-1.4 x");
        let lf = b"--uuid:b\nContent-ID: <jsonInfos>\n\n{}\n--uuid:b--\n";
        let parts = super::parts(lf, None).unwrap();
        assert_eq!(parts[0].body, b"{}");
        assert!(super::parts(b"<html>oops</html>", None).is_none());
    }
}
