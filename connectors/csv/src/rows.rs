//! Splitting a byte stream into CSV records, keeping for each its raw bytes, its line and
//! the byte position, in a buffer of bounded size whatever the file size.
//!
//! This sits on `csv_core` (the state machine under the `csv` crate) rather than
//! `csv::Reader` for three reasons a drop-folder import cannot do without:
//! - **the raw row**: quarantine needs each row exactly as written; `csv::Reader`
//!   hides its buffer, here the row is a slice of ours;
//! - **an unbalanced quote**: like every RFC 4180 parser, `csv` takes a stray `"` as the
//!   start of a quoted field that runs on through the following lines up to the next
//!   `"` anywhere in the file (or to the end), so one typo silently eats every row after
//!   it or shifts the quoting of the rest of the file. Here a record that spans several
//!   physical lines *and* either has the wrong number of fields or text right after a
//!   closing quote (`"oops … 3,"ok"`) is taken for that: its first line is set aside as
//!   a broken row and parsing restarts on the next line;
//! - **bounded memory**: a record longer than [`MAX_RECORD_BYTES`] is cut the same way
//!   instead of growing a buffer to the size of the file.
//!
//! Known ambiguity: a stray quote whose swallowed lines end in another stray quote placed
//! just before a delimiter or line end, and give the right field count, reads as one
//! legitimate multi-line field.

use csv_core::{ReadRecordResult, Reader as CoreReader, ReaderBuilder};
use std::io::{self, Read};

/// Longest record accepted, quoted line breaks included.
pub(crate) const MAX_RECORD_BYTES: usize = 1 << 20;
/// Size of the read buffer; it grows only for records longer than this.
const READ_CHUNK: usize = 64 * 1024;
/// Bytes of an over-long line kept as its `raw` in the error.
const RAW_EXCERPT: usize = 1024;

/// The fields of one record, unquoted and unescaped.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields<'a> {
    data: &'a [u8],
    ends: &'a [usize],
}

impl<'a> Fields<'a> {
    /// Number of fields.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Field `i`, if the record has that many.
    pub(crate) fn get(&self, i: usize) -> Option<&'a [u8]> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { *self.ends.get(i - 1)? };
        self.data.get(start..end)
    }

    /// All fields in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }
}

/// What the splitter found next.
#[derive(Debug)]
pub(crate) enum Row<'a> {
    /// A record (its field count is not checked here, except as said in the module doc).
    Record {
        /// 1-based line where it starts.
        line: u64,
        /// The record as written, without its line ending.
        raw: &'a [u8],
        /// Its fields.
        fields: Fields<'a>,
    },
    /// A line that cannot be split into fields (unbalanced quote, over-long line).
    Broken {
        /// 1-based line.
        line: u64,
        /// The line as written (cut to 1 KiB when over-long).
        raw: &'a [u8],
        /// Why.
        reason: String,
    },
}

/// Streams records out of any reader.
pub(crate) struct Splitter<R> {
    src: R,
    core: CoreReader,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    eof: bool,
    base: u64,
    fields: Vec<u8>,
    ends: Vec<usize>,
    excerpt: Vec<u8>,
    expected: Option<usize>,
    delimiter: u8,
}

impl<R: Read> Splitter<R> {
    /// Starts on `src`. With no delimiter given, it is sniffed from the first line: the
    /// most frequent of `,` `;` tab `|` outside quotes (`,` when none).
    pub(crate) fn new(src: R, delimiter: Option<u8>) -> io::Result<Self> {
        let mut me = Self {
            src,
            core: CoreReader::new(),
            buf: vec![0; READ_CHUNK],
            pos: 0,
            end: 0,
            eof: false,
            base: 0,
            fields: vec![0; 1024],
            ends: vec![0; 64],
            excerpt: Vec::new(),
            expected: None,
            delimiter: b',',
        };
        let delimiter = match delimiter {
            Some(d) => d,
            None => {
                while !me.eof && me.end < READ_CHUNK && !me.buf[..me.end].contains(&b'\n') {
                    me.fill(0)?;
                }
                sniff(&me.buf[..me.end])
            }
        };
        me.core = ReaderBuilder::new().delimiter(delimiter).build();
        me.delimiter = delimiter;
        Ok(me)
    }

    /// From now on, a multi-line record with another field count than `n` is taken for
    /// an unbalanced quote (set once the header is read).
    pub(crate) fn expect_fields(&mut self, n: usize) {
        self.expected = Some(n);
    }

    /// Bytes consumed from the source so far (for progress bars).
    pub(crate) fn position(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Moves unconsumed bytes from `keep_from` to the front, grows the buffer if a
    /// record fills it, and reads once more from the source.
    fn fill(&mut self, keep_from: usize) -> io::Result<()> {
        if keep_from > 0 {
            self.buf.copy_within(keep_from..self.end, 0);
            self.end -= keep_from;
            self.pos -= keep_from;
            self.base += keep_from as u64;
        }
        if self.eof {
            return Ok(());
        }
        if self.end == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        loop {
            match self.src.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// The next record or broken line; `None` at the end of the input. Data records
    /// whose fields are all blank (`,,,` rows spreadsheets leave at the end) carry
    /// nothing to import or to fix and are skipped, like blank lines.
    pub(crate) fn next_row(&mut self) -> io::Result<Option<Row<'_>>> {
        loop {
            let mut start = self.pos;
            let start_line = self.core.line();
            let (mut nout, mut nend) = (0, 0);
            loop {
                // csv_core reads an empty input as the end of the file: only give it one
                // when the source is exhausted.
                if self.pos == self.end && !self.eof {
                    self.fill(start)?;
                    start = 0;
                    continue;
                }
                let input_was_empty = self.pos == self.end;
                let (res, nin, o, e) = self.core.read_record(
                    &self.buf[self.pos..self.end],
                    &mut self.fields[nout..],
                    &mut self.ends[nend..],
                );
                self.pos += nin;
                nout += o;
                nend += e;
                match res {
                    ReadRecordResult::Record => break,
                    ReadRecordResult::End => return Ok(None),
                    ReadRecordResult::OutputFull => self.fields.resize(self.fields.len() * 2, 0),
                    ReadRecordResult::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                    ReadRecordResult::InputEmpty if input_was_empty => return Ok(None),
                    ReadRecordResult::InputEmpty if self.pos - start > MAX_RECORD_BYTES => {
                        return self.cut_long_record(start, start_line).map(Some);
                    }
                    ReadRecordResult::InputEmpty => {}
                }
            }
            let (body_start, line) = skip_blank_lines(&self.buf, start, self.pos, start_line);
            let body_end = trim_line_end(&self.buf, body_start, self.pos);
            if let Some(expected) = self.expected {
                let body = &self.buf[body_start..body_end];
                if body.contains(&b'\n') && (nend != expected || !well_quoted(body, self.delimiter))
                {
                    let reason = format!(
                        "unbalanced quote: a quoted field opened on this line is not closed on it \
                         (read on, the record would have {nend} fields for {expected} columns, or \
                         text after a closing quote). The line is set aside and reading resumes on \
                         the next line"
                    );
                    return Ok(Some(self.set_aside_first_line(body_start, line, reason)));
                }
            }
            if self.expected.is_some() && is_blank(&self.fields, &self.ends[..nend]) {
                continue;
            }
            return Ok(Some(Row::Record {
                line,
                raw: &self.buf[body_start..body_end],
                fields: Fields {
                    data: &self.fields,
                    ends: &self.ends[..nend],
                },
            }));
        }
    }

    /// Sets aside the first physical line of the record starting at `body_start` and
    /// restarts parsing on the line after it.
    fn set_aside_first_line(&mut self, body_start: usize, line: u64, reason: String) -> Row<'_> {
        let line_end = self.buf[body_start..self.pos]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(self.pos, |i| body_start + i);
        self.pos = (line_end + 1).min(self.pos);
        self.core.reset();
        self.core.set_line(line + 1);
        let raw_end = trim_line_end(&self.buf, body_start, line_end);
        Row::Broken {
            line,
            raw: &self.buf[body_start..raw_end],
            reason,
        }
    }

    /// A record grew past [`MAX_RECORD_BYTES`]: if it spans lines, its first line is set
    /// aside as above; if it is one huge line, that line is skipped up to its end.
    fn cut_long_record(&mut self, start: usize, start_line: u64) -> io::Result<Row<'_>> {
        let (body_start, line) = skip_blank_lines(&self.buf, start, self.pos, start_line);
        let first_line_len = self.buf[body_start..self.pos]
            .iter()
            .position(|b| *b == b'\n');
        if first_line_len.is_some_and(|n| n <= MAX_RECORD_BYTES) {
            let reason = format!(
                "record longer than {MAX_RECORD_BYTES} bytes: a quote opened on this line is \
                 probably never closed. The line is set aside and reading resumes on the next line"
            );
            return Ok(self.set_aside_first_line(body_start, line, reason));
        }
        let excerpt_end = (body_start + RAW_EXCERPT).min(self.pos);
        self.excerpt.clear();
        self.excerpt
            .extend_from_slice(&self.buf[body_start..excerpt_end]);
        self.pos = body_start;
        loop {
            if let Some(i) = self.buf[self.pos..self.end]
                .iter()
                .position(|b| *b == b'\n')
            {
                self.pos += i + 1;
                break;
            }
            self.pos = self.end;
            if self.eof {
                break;
            }
            self.fill(self.pos)?;
        }
        self.core.reset();
        self.core.set_line(line + 1);
        let reason = format!(
            "line longer than {MAX_RECORD_BYTES} bytes; skipped (raw cut to {RAW_EXCERPT} bytes)"
        );
        Ok(Row::Broken {
            line,
            raw: &self.excerpt,
            reason,
        })
    }
}

/// Whether every field is empty or white space.
fn is_blank(data: &[u8], ends: &[usize]) -> bool {
    let used = ends.last().copied().unwrap_or(0);
    data.get(..used)
        .is_some_and(|d| d.iter().all(u8::is_ascii_whitespace))
}

/// Skips the blank lines `csv_core` passes over before a record; returns where the
/// record's own bytes start and its line number.
fn skip_blank_lines(buf: &[u8], start: usize, end: usize, start_line: u64) -> (usize, u64) {
    let lead = buf[start..end]
        .iter()
        .take_while(|b| matches!(b, b'\r' | b'\n'))
        .count();
    let newlines = buf[start..start + lead]
        .iter()
        .filter(|b| **b == b'\n')
        .count() as u64;
    (start + lead, start_line + newlines)
}

/// `end` moved back over a trailing line ending.
fn trim_line_end(buf: &[u8], start: usize, mut end: usize) -> usize {
    while end > start && matches!(buf[end - 1], b'\r' | b'\n') {
        end -= 1;
    }
    end
}

/// Whether every quoted field of `record` is closed by a quote followed by the delimiter,
/// a line ending, another quote (an escaped quote) or the end. `csv_core` accepts
/// `"a"b` as `ab`; in a record that spans lines this is the mark of a stray quote that
/// swallowed the lines after it.
fn well_quoted(record: &[u8], delimiter: u8) -> bool {
    let mut i = 0;
    let mut field_start = true;
    while i < record.len() {
        let b = record[i];
        if field_start && b == b'"' {
            i += 1;
            loop {
                match record.get(i) {
                    None => return false,
                    Some(b'"') if record.get(i + 1) == Some(&b'"') => i += 2,
                    Some(b'"') => {
                        i += 1;
                        break;
                    }
                    Some(_) => i += 1,
                }
            }
            match record.get(i) {
                None => return true,
                Some(&c) if c == delimiter || c == b'\r' || c == b'\n' => {}
                Some(_) => return false,
            }
        }
        let b = record.get(i).copied().unwrap_or(delimiter);
        field_start = b == delimiter || b == b'\n' || b == b'\r';
        i += 1;
    }
    true
}

/// The most frequent candidate delimiter outside quotes in the first line.
fn sniff(head: &[u8]) -> u8 {
    const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];
    let mut counts = [0usize; 4];
    let mut quoted = false;
    for &b in head.iter().take_while(|b| **b != b'\n') {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted {
            if let Some(i) = CANDIDATES.iter().position(|c| *c == b) {
                counts[i] += 1;
            }
        }
    }
    let mut best = 0;
    for i in 1..CANDIDATES.len() {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    CANDIDATES[best]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(input: &[u8], expected: usize) -> Vec<(u64, String, Option<Vec<String>>)> {
        let mut s = Splitter::new(input, Some(b',')).unwrap();
        s.expect_fields(expected);
        let mut out = Vec::new();
        while let Some(row) = s.next_row().unwrap() {
            out.push(match row {
                Row::Record { line, raw, fields } => (
                    line,
                    String::from_utf8_lossy(raw).into_owned(),
                    Some(
                        fields
                            .iter()
                            .map(|f| String::from_utf8_lossy(f).into_owned())
                            .collect(),
                    ),
                ),
                Row::Broken { line, raw, .. } => {
                    (line, String::from_utf8_lossy(raw).into_owned(), None)
                }
            });
        }
        out
    }

    #[test]
    fn records_keep_raw_bytes_and_lines_across_blank_lines_and_crlf() {
        let out = rows(b"a,b\r\n\r\n\"x,1\",y\r\nc,\"multi\nline\"\r\n", 2);
        assert_eq!(
            out[0],
            (1, "a,b".into(), Some(vec!["a".into(), "b".into()]))
        );
        assert_eq!(
            out[1],
            (3, "\"x,1\",y".into(), Some(vec!["x,1".into(), "y".into()]))
        );
        assert_eq!(
            out[2],
            (
                4,
                "c,\"multi\nline\"".into(),
                Some(vec!["c".into(), "multi\nline".into()])
            )
        );
        assert_eq!(out.len(), 3);
    }

    #[test]
    fn an_unbalanced_quote_costs_one_line_and_reading_resumes() {
        let out = rows(b"a,b\n1,\"oops\n2,x\n3,\"ok\"\n4,y\n", 2);
        assert_eq!(out[1], (2, "1,\"oops".into(), None));
        assert_eq!(out[2].0, 3);
        assert_eq!(out[2].2, Some(vec!["2".into(), "x".into()]));
        assert_eq!(out[3].2, Some(vec!["3".into(), "ok".into()]));
        assert_eq!(
            out[4],
            (5, "4,y".into(), Some(vec!["4".into(), "y".into()]))
        );
        assert_eq!(out.len(), 5);
    }

    #[test]
    fn an_unclosed_quote_at_the_end_of_the_file_still_costs_one_line() {
        let out = rows(b"a,b\n1,x\n\"2,x\n3,y\n4,z", 2);
        assert_eq!(out[2], (3, "\"2,x".into(), None));
        assert_eq!(out[3].2, Some(vec!["3".into(), "y".into()]));
        assert_eq!(out[4].2, Some(vec!["4".into(), "z".into()]));
    }

    #[test]
    fn over_long_records_are_cut_without_holding_the_file() {
        let mut input = b"a,b\n\"".to_vec();
        input.extend(std::iter::repeat_n(b'x', MAX_RECORD_BYTES + 10));
        input.extend_from_slice(b"\n5,z\n");
        let out = rows(&input, 2);
        assert_eq!(out[1].0, 2);
        assert!(out[1].2.is_none());
        assert_eq!(out[1].1.len(), RAW_EXCERPT);
        assert_eq!(
            out[2],
            (3, "5,z".into(), Some(vec!["5".into(), "z".into()]))
        );
    }

    #[test]
    fn text_after_a_closing_quote_marks_a_stray_quote() {
        assert!(well_quoted(b"1,\"a\nb\",c", b','));
        assert!(well_quoted(b"1,\"a \"\"q\"\"\nb\"", b','));
        assert!(!well_quoted(b"1,\"oops\n2,x\n3,\"ok\"", b','));
        assert!(!well_quoted(b"1,\"never closed\n2", b','));
        assert!(well_quoted(b"1;\"a\nb\";c", b';'));
    }

    #[test]
    fn sniffs_the_delimiter_outside_quotes() {
        assert_eq!(sniff(b"a;b;\"c,d,e\"\n1,2,3,4"), b';');
        assert_eq!(sniff(b"a\tb\tc"), b'\t');
        assert_eq!(sniff(b"single"), b',');
    }

    #[test]
    fn position_counts_bytes_consumed() {
        let mut s = Splitter::new(&b"a,b\n1,2\n"[..], None).unwrap();
        s.next_row().unwrap();
        assert_eq!(s.position(), 4);
        s.next_row().unwrap();
        assert_eq!(s.position(), 8);
        assert!(s.next_row().unwrap().is_none());
    }
}
