//! Supplier tracking files read with the real `supplier-tracking` template: aliases,
//! delimiters, BOM, CRLF, and every kind of bad row reported while the rest goes on.

use chrono::{DateTime, Utc};
use shipgate_csv::{CsvError, RowError, Template, TrackingReader, TrackingRecord};
use std::path::PathBuf;

fn template() -> Template {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../mappings/csv/supplier-tracking.toml");
    Template::load(path).expect("supplier-tracking loads")
}

fn read(bytes: &[u8]) -> Vec<Result<TrackingRecord, RowError>> {
    TrackingReader::new(bytes, &template(), "supplier.csv")
        .expect("header is fine")
        .collect()
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("test date")
        .with_timezone(&Utc)
}

#[test]
fn aliases_semicolons_bom_and_crlf() {
    let file = "\u{feff}Order Name;Tracking No.;Courier;Ship_Date;Tracking Link\r\n\
                #1001;1z 999aa1 0123456784;UPS;2024-05-01 10:00:00 +0200;https://ups.example/1Z\r\n\
                #1002;CP123456789FR;La Poste;02/05/2024;\r\n\
                \r\n\
                #1003;\"JD0002;X\";DHL;2024-05-03;\r\n";
    let rows = read(file.as_bytes());
    assert_eq!(rows.len(), 3, "{rows:?}");
    let first = rows[0].as_ref().expect("row 2 is fine");
    assert_eq!(first.line, 2);
    assert_eq!(first.order_ref, "#1001");
    assert_eq!(first.tracking_number.as_str(), "1Z999AA10123456784");
    assert_eq!(first.carrier_name.as_deref(), Some("UPS"));
    assert_eq!(first.shipped_at, Some(utc("2024-05-01T08:00:00Z")));
    assert_eq!(
        first.tracking_url.as_deref(),
        Some("https://ups.example/1Z")
    );

    let second = rows[1].as_ref().expect("row 3 is fine");
    assert_eq!(
        second.carrier_name.as_deref(),
        Some("La Poste"),
        "carrier kept as written"
    );
    assert_eq!(
        second.shipped_at,
        Some(utc("2024-05-02T00:00:00Z")),
        "day first, UTC midnight"
    );
    assert_eq!(second.tracking_url, None);

    let third = rows[2]
        .as_ref()
        .expect_err("';' inside a tracking number is refused");
    assert_eq!(third.line, 5, "the blank line still counts");
    assert_eq!(third.column.as_deref(), Some("Tracking No."));
    assert_eq!(third.raw, "#1003;\"JD0002;X\";DHL;2024-05-03;");
}

#[test]
fn tabs_are_sniffed_too() {
    let rows = read(b"order_number\ttracking\tcarrier\n42\tAB12345\tGLS\n");
    assert_eq!(
        rows[0].as_ref().expect("fine").tracking_number.as_str(),
        "AB12345"
    );
}

/// What the `csv` crate itself does with an unbalanced quote, for the record: the quote
/// opens a field that runs to the next `"` in the file, swallowing the rows between
/// without any error. `TrackingReader` sets the one broken line aside instead.
#[test]
fn the_csv_crate_swallows_rows_after_an_unbalanced_quote() {
    let file = "order,tracking\n1,\"AAAA1\n2,BBBB2\n3,\"CCCC3\"\n4,DDDD4\n";
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(file.as_bytes());
    let records: Vec<csv::StringRecord> = rdr
        .records()
        .map(|r| r.expect("csv never errors on quoting"))
        .collect();
    assert_eq!(
        records.len(),
        2,
        "rows 2 and 3 vanished into row 1: {records:?}"
    );
    assert_eq!(&records[0][1], "AAAA1\n2,BBBB2\n3,CCCC3\"");
}

#[test]
fn every_bad_row_is_reported_and_the_rest_is_read() {
    let file = b"order,tracking,carrier,shipped_at,note\n\
        1001,AAAA1001,UPS,2024-05-01,\n\
        1002,\"BBBB1002,UPS,2024-05-01,\n\
        1003,CCCC1003,DHL,2024-05-01,\n\
        1004,DDDD1004,DHL,2024-05-01,\"a \"\"quoted\"\" note\"\n\
        1005,EEEE1005,DHL\n\
        1006,FFFF1006,DHL,2024-13-45,\n\
        1007,12/34,DHL,2024-05-01,\n\
        1008,,DHL,2024-05-01,\n\
        1009,GGGG1009,DHL,2024-05-01,\"multi\nline note\"\n\
        1010,HH\xff1010,DHL,2024-05-01,\n\
        1011,IIII1011,DHL,2024-05-01,\n";
    let rows = read(file);
    let ok: Vec<&TrackingRecord> = rows.iter().filter_map(|r| r.as_ref().ok()).collect();
    let refs: Vec<&str> = ok.iter().map(|r| r.order_ref.as_str()).collect();
    assert_eq!(refs, ["1001", "1003", "1004", "1009", "1011"]);
    assert_eq!(ok[3].line, 10);
    assert_eq!(ok[4].line, 13, "lines count the multi-line note");

    let errors: Vec<&RowError> = rows.iter().filter_map(|r| r.as_ref().err()).collect();
    let at = |line: u64| {
        errors
            .iter()
            .find(|e| e.line == line)
            .unwrap_or_else(|| panic!("no error on line {line}: {errors:?}"))
    };
    assert_eq!(errors.len(), 6, "{errors:?}");

    let quote = at(3);
    assert!(
        quote.reason.contains("unbalanced quote"),
        "{}",
        quote.reason
    );
    assert_eq!(quote.raw, "1002,\"BBBB1002,UPS,2024-05-01,");
    assert_eq!(quote.column, None);

    let width = at(6);
    assert!(
        width.reason.contains("expected 5 fields") && width.reason.contains("found 3"),
        "{}",
        width.reason
    );
    assert_eq!(width.raw, "1005,EEEE1005,DHL");

    let date = at(7);
    assert_eq!(
        (date.column.as_deref(), date.value.as_deref()),
        (Some("shipped_at"), Some("2024-13-45"))
    );
    assert!(
        date.reason.contains("rfc3339"),
        "accepted formats listed: {}",
        date.reason
    );

    let number = at(8);
    assert_eq!(
        (number.column.as_deref(), number.value.as_deref()),
        (Some("tracking"), Some("12/34"))
    );
    assert!(
        number.reason.contains("bad tracking number"),
        "{}",
        number.reason
    );

    let empty = at(9);
    assert_eq!(empty.column.as_deref(), Some("tracking"));
    assert!(empty.reason.contains("empty required value"));

    let utf8 = at(12);
    assert_eq!(utf8.column.as_deref(), Some("tracking"));
    assert!(utf8.reason.contains("UTF-8"), "{}", utf8.reason);
    assert!(utf8.raw.starts_with("1010,HH\u{fffd}1010"), "{}", utf8.raw);
    assert!(
        utf8.to_string()
            .contains("supplier.csv, line 12, column \"tracking\""),
        "{utf8}"
    );
}

#[test]
fn an_empty_file_has_no_header_and_a_header_alone_has_no_rows() {
    for empty in [&b""[..], b"\n\n", b"\xef\xbb\xbf"] {
        match TrackingReader::new(empty, &template(), "empty.csv") {
            Err(CsvError::NoHeader { file }) => assert_eq!(file, "empty.csv"),
            other => panic!("expected NoHeader, got {:?}", other.map(|_| ())),
        }
    }
    assert!(read(b"order,tracking\n").is_empty());
    assert!(
        read(b"order,tracking\n,\n , \n").is_empty(),
        "rows of blank fields are skipped"
    );
    assert!(read(b"order,tracking").is_empty());
}

#[test]
fn a_missing_required_column_names_it_and_the_headers_found() {
    match TrackingReader::new(&b"order,carrier\n1,UPS\n"[..], &template(), "s.csv") {
        Err(CsvError::MissingColumns {
            file,
            missing,
            found,
        }) => {
            assert_eq!(file, "s.csv");
            assert_eq!(missing.len(), 1);
            assert!(
                missing[0].starts_with("tracking_number (tracking | tracking_number"),
                "{missing:?}"
            );
            assert_eq!(found, ["order", "carrier"]);
        }
        other => panic!("expected MissingColumns, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn position_reaches_the_file_size() {
    let file = b"order,tracking\n1,AAAA1\n2,BBBB2\n";
    let mut reader = TrackingReader::new(&file[..], &template(), "s.csv").expect("fine");
    let after_header = reader.position();
    assert_eq!(after_header, 15);
    assert!(reader.next().is_some());
    assert_eq!(reader.position(), 23);
    while reader.next().is_some() {}
    assert_eq!(reader.position(), file.len() as u64);
    assert!(reader.io_error().is_none());
}

#[test]
fn a_large_file_streams_through_a_small_buffer() {
    let mut file = b"order,tracking\n".to_vec();
    for i in 0..200_000u32 {
        file.extend_from_slice(format!("{i},TN{i:08}\n").as_bytes());
    }
    let reader = TrackingReader::new(file.as_slice(), &template(), "big.csv").expect("fine");
    let (mut ok, mut last) = (0u32, 0u64);
    for row in reader {
        let row = row.expect("all rows are fine");
        ok += 1;
        last = row.line;
    }
    assert_eq!((ok, last), (200_000, 200_001));
}
