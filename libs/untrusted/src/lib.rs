//! `eiso-untrusted`: checks on files that users upload, made before any
//! parser sees them.
//!
//! The parsers eiso uses (calamine, zip, quick-xml, lopdf) trust what a file
//! declares: calamine allocates a sheet's whole rectangle from its farthest
//! cell and reserves the shared-string table from its declared count, the
//! zip reader sizes buffers from headers, a deflate stream may inflate a
//! thousand times. An allocation that fails aborts the process (it is not a
//! panic), so a file of 2 KB could take the server down. These checks read the
//! file as a stream, with every buffer bounded, and refuse it when what it
//! declares or what it unpacks to exceeds [`Limits`]:
//!
//! - size of the file;
//! - zip archives (XLSX, ODS, DOCX): the end-of-central-directory records
//!   (entry count, directory bounds), each entry's declared and *actual*
//!   unpacked size (every entry is inflated through a counter, so a header
//!   that lies does not help), the compression ratio, the total unpacked;
//! - XML inside them: nesting depth, and for workbooks the rectangle the
//!   cells span (`<c r=…>`, `<row r=…>`, ODS `number-rows-repeated` /
//!   `number-columns-repeated`), the declared `<dimension ref=…>`, the
//!   shared-string counts (declared and actual) and shared-formula indexes;
//! - CSV: fields per record and bytes per record;
//! - PDF: each Flate stream is inflated through a counter (ratio and total),
//!   and the nesting of arrays and dictionaries is bounded.
//!
//! The checks are a first line: what still goes wrong inside a parser is
//! contained by where the parser runs (the search indexer extracts text in
//! a child process with a memory limit).

use std::io::{Cursor, Read};

use quick_xml::events::{BytesStart, Event};

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;

/// Bounds on what a file may declare or unpack to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of the file itself.
    pub max_file_bytes: u64,
    /// Entries of a zip archive.
    pub max_entries: u64,
    /// Unpacked bytes of one zip entry or PDF stream.
    pub max_entry_bytes: u64,
    /// Unpacked bytes of all entries or streams together.
    pub max_unpacked_bytes: u64,
    /// Unpacked / packed bytes of an entry or stream (checked once it is over 1 MiB).
    pub max_ratio: u64,
    /// Rows a sheet's cells may span.
    pub max_rows: u64,
    /// Columns a sheet's cells may span.
    pub max_columns: u64,
    /// Cells of the rectangle a sheet's cells span (what a reader allocates).
    pub max_cells: u64,
    /// Shared strings of a workbook, declared or present.
    pub max_shared_strings: u64,
    /// Nesting of XML elements, PDF arrays and dictionaries.
    pub max_depth: u64,
    /// Fields of one CSV record.
    pub max_fields: u64,
    /// Bytes of one CSV record.
    pub max_record_bytes: u64,
}

impl Limits {
    /// For tables imported into the catalogue or a plan: a few thousand rows
    /// of a few dozen columns.
    pub const IMPORT: Limits = Limits {
        max_file_bytes: 16 * MIB,
        max_entries: 1_000,
        max_entry_bytes: 64 * MIB,
        max_unpacked_bytes: 128 * MIB,
        max_ratio: 250,
        max_rows: 20_000,
        max_columns: 200,
        max_cells: 1_000_000,
        max_shared_strings: 1_000_000,
        max_depth: 100,
        max_fields: 200,
        max_record_bytes: 4 * MIB,
    };

    /// For text taken from stored files for the search index.
    pub const EXTRACTION: Limits = Limits {
        max_file_bytes: 32 * MIB,
        max_entries: 10_000,
        max_entry_bytes: 128 * MIB,
        max_unpacked_bytes: 256 * MIB,
        max_ratio: 250,
        max_rows: 1_048_576,
        max_columns: 16_384,
        max_cells: 4_000_000,
        max_shared_strings: 2_000_000,
        max_depth: 100,
        max_fields: 16_384,
        max_record_bytes: 32 * MIB,
    };
}

/// Why a file is refused. Messages are short and name what was exceeded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the file has {size} bytes; at most {max} are read")]
    TooLarge { size: u64, max: u64 },
    #[error("the file is damaged or truncated: {0}")]
    Damaged(String),
    #[error("the archive declares {count} entries; at most {max} are read")]
    TooManyEntries { count: u64, max: u64 },
    #[error("`{entry}` unpacks to more than {max} bytes")]
    EntryTooLarge { entry: String, max: u64 },
    #[error("`{entry}` is compressed more than {max}:1 (a compression bomb)")]
    Ratio { entry: String, max: u64 },
    #[error("the file unpacks to more than {max} bytes")]
    UnpackedTooLarge { max: u64 },
    #[error(
        "`{entry}` spans {rows} rows × {columns} columns; at most {max_rows} rows, {max_columns} columns and {max_cells} cells are read"
    )]
    Dimensions {
        entry: String,
        rows: u64,
        columns: u64,
        max_rows: u64,
        max_columns: u64,
        max_cells: u64,
    },
    #[error("`{entry}` numbers a shared formula past {max}")]
    SharedFormula { entry: String, max: u64 },
    #[error("the workbook has {count} shared strings; at most {max} are read")]
    SharedStrings { count: u64, max: u64 },
    #[error("`{entry}` nests more than {max} levels deep")]
    TooDeep { entry: String, max: u64 },
    #[error("record {record} has more than {max} fields")]
    TooManyFields { record: u64, max: u64 },
    #[error("record {record} has more than {max} bytes")]
    RecordTooLarge { record: u64, max: u64 },
    #[error("{0}")]
    Unsupported(String),
}

/// A name taken from a file, cut short for a message.
fn shown(name: &str) -> String {
    const MAX: usize = 60;
    if name.len() <= MAX {
        return name.to_string();
    }
    let mut end = MAX;
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &name[..end])
}

fn check_size(content: &[u8], limits: &Limits) -> Result<(), Refusal> {
    let size = content.len() as u64;
    if size > limits.max_file_bytes {
        return Err(Refusal::TooLarge {
            size,
            max: limits.max_file_bytes,
        });
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Zip archives

/// What kind of XML a zip archive holds, for the checks made on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Contents {
    Xlsx,
    Ods,
    Docx,
}

/// A workbook's kind, as [`check_workbook`] found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workbook {
    Xlsx,
    Ods,
}

/// Checks a workbook (XLSX or ODS; the legacy binary formats are refused, as
/// their records cannot be checked before reading).
pub fn check_workbook(content: &[u8], limits: &Limits) -> Result<Workbook, Refusal> {
    check_size(content, limits)?;
    if content.starts_with(b"\xD0\xCF\x11\xE0") {
        return Err(Refusal::Unsupported(
            "legacy .xls workbooks are not read: save it as .xlsx".to_string(),
        ));
    }
    let names = zip_names(content, limits)?;
    let kind = if names.iter().any(|n| n == "xl/workbook.xml") {
        Workbook::Xlsx
    } else if names.iter().any(|n| n == "content.xml") {
        Workbook::Ods
    } else if names.iter().any(|n| n == "xl/workbook.bin") {
        return Err(Refusal::Unsupported(
            "binary .xlsb workbooks are not read: save it as .xlsx".to_string(),
        ));
    } else {
        return Err(Refusal::Unsupported("not an XLSX or ODS workbook".to_string()));
    };
    let contents = match kind {
        Workbook::Xlsx => Contents::Xlsx,
        Workbook::Ods => Contents::Ods,
    };
    check_entries(content, limits, contents)?;
    Ok(kind)
}

/// Checks a word-processing document (DOCX, or ODT).
pub fn check_document(content: &[u8], limits: &Limits) -> Result<(), Refusal> {
    check_size(content, limits)?;
    zip_names(content, limits)?;
    check_entries(content, limits, Contents::Docx)
}

fn read_u16(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?) as u64)
}

fn read_u32(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as u64)
}

fn read_u64(bytes: &[u8], at: usize) -> Option<u64> {
    u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?).into()
}

/// Checks every end-of-central-directory record near the end of the file
/// (the zip reader sizes its tables from them), then lists the entries.
fn check_directory_records(content: &[u8], limits: &Limits) -> Result<(), Refusal> {
    let len = content.len() as u64;
    let damaged = || Refusal::Damaged("bad end of central directory".to_string());
    let start = content.len().saturating_sub(65_535 + 22);
    let mut found = false;
    let mut at = content.len().saturating_sub(22);
    loop {
        if at < start {
            break;
        }
        if content[at..].starts_with(b"PK\x05\x06") {
            found = true;
            let count = read_u16(content, at + 10).ok_or_else(damaged)?;
            let size = read_u32(content, at + 12).ok_or_else(damaged)?;
            let offset = read_u32(content, at + 16).ok_or_else(damaged)?;
            let zip64 = count == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF;
            let (count, size, offset) = if zip64 {
                // The zip64 locator sits just before, and points at the zip64 record.
                let locator = at.checked_sub(20).ok_or_else(damaged)?;
                if !content[locator..].starts_with(b"PK\x06\x07") {
                    return Err(damaged());
                }
                let record = read_u64(content, locator + 8).ok_or_else(damaged)?;
                let record = usize::try_from(record)
                    .ok()
                    .filter(|r| *r < content.len())
                    .ok_or_else(damaged)?;
                if !content[record..].starts_with(b"PK\x06\x06") {
                    return Err(damaged());
                }
                (
                    read_u64(content, record + 32).ok_or_else(damaged)?,
                    read_u64(content, record + 40).ok_or_else(damaged)?,
                    read_u64(content, record + 48).ok_or_else(damaged)?,
                )
            } else {
                (count, size, offset)
            };
            if count > limits.max_entries {
                return Err(Refusal::TooManyEntries {
                    count,
                    max: limits.max_entries,
                });
            }
            if offset.checked_add(size).is_none_or(|end| end > len) || count.saturating_mul(46) > size {
                return Err(damaged());
            }
        }
        if at == 0 {
            break;
        }
        at -= 1;
    }
    if !found {
        return Err(Refusal::Damaged("not a zip archive".to_string()));
    }
    Ok(())
}

fn open_zip<'a>(content: &'a [u8], limits: &Limits) -> Result<zip::ZipArchive<Cursor<&'a [u8]>>, Refusal> {
    check_directory_records(content, limits)?;
    zip::ZipArchive::new(Cursor::new(content)).map_err(|e| Refusal::Damaged(e.to_string()))
}

fn zip_names(content: &[u8], limits: &Limits) -> Result<Vec<String>, Refusal> {
    let archive = open_zip(content, limits)?;
    archive
        .file_names()
        .map(|name| {
            name.map(|n| n.into_owned())
                .map_err(|e| Refusal::Damaged(e.to_string()))
        })
        .collect()
}

/// Counts what a reader gives, refusing past `max`.
struct Counted<R> {
    inner: R,
    read: u64,
    max: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.max {
            return Err(std::io::Error::other(OVER_LIMIT));
        }
        Ok(n)
    }
}

const OVER_LIMIT: &str = "over the limit";

fn is_over_limit(error: &std::io::Error) -> bool {
    error.to_string() == OVER_LIMIT
}

/// The most an entry or stream of `packed` bytes may unpack to.
fn unpack_bound(packed: u64, limits: &Limits, left: u64) -> (u64, bool) {
    let by_ratio = packed.saturating_mul(limits.max_ratio).max(MIB);
    let bound = limits.max_entry_bytes.min(by_ratio).min(left);
    (bound, bound == by_ratio && by_ratio < limits.max_entry_bytes.min(left))
}

/// Why `entry` may not unpack past `bound`: its ratio, what is `left` of the
/// file's budget, or the budget of one entry.
fn over_bound(entry: String, bound: u64, by_ratio: bool, left: u64, limits: &Limits) -> Refusal {
    if by_ratio {
        Refusal::Ratio {
            entry,
            max: limits.max_ratio,
        }
    } else if bound == left {
        Refusal::UnpackedTooLarge {
            max: limits.max_unpacked_bytes,
        }
    } else {
        Refusal::EntryTooLarge {
            entry,
            max: limits.max_entry_bytes,
        }
    }
}

/// Inflates every entry through a counter; scans the XML ones.
fn check_entries(content: &[u8], limits: &Limits, contents: Contents) -> Result<(), Refusal> {
    let mut archive = open_zip(content, limits)?;
    let mut unpacked = 0u64;
    for index in 0..archive.len() {
        let entry = archive.by_index(index).map_err(|e| Refusal::Damaged(e.to_string()))?;
        let name = entry
            .name()
            .map(|n| n.into_owned())
            .map_err(|e| Refusal::Damaged(e.to_string()))?;
        let packed = entry.compressed_size();
        let declared = entry.size();
        let left = limits.max_unpacked_bytes - unpacked;
        let (bound, by_ratio) = unpack_bound(packed, limits, left);
        let over = || over_bound(shown(&name), bound, by_ratio, left, limits);
        if declared > bound {
            return Err(over());
        }
        let mut counted = Counted {
            inner: entry,
            read: 0,
            max: bound,
        };
        let is_xml = name.ends_with(".xml") || name.ends_with(".rels");
        let result = if is_xml {
            scan_xml(&mut counted, &name, limits, contents)
        } else {
            std::io::copy(&mut counted, &mut std::io::sink())
                .map(|_| ())
                .map_err(|e| io_refusal(&e))
        };
        match result {
            Err(Refusal::Damaged(_)) if counted.read > bound => return Err(over()),
            Err(refusal) => return Err(refusal),
            Ok(()) => {}
        }
        unpacked += counted.read;
    }
    Ok(())
}

fn io_refusal(error: &std::io::Error) -> Refusal {
    Refusal::Damaged(if is_over_limit(error) {
        OVER_LIMIT.to_string()
    } else {
        error.to_string()
    })
}

// ---------------------------------------------------------------------------
// XML

fn attribute(element: &BytesStart<'_>, name: &str) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .map(|a| a.value.to_string())
}

fn number(element: &BytesStart<'_>, name: &str) -> Option<u64> {
    attribute(element, name)?.trim().parse().ok()
}

/// `B5` → (5, 2), 1-based; `$` signs allowed.
fn cell_reference(text: &str) -> Option<(u64, u64)> {
    let text = text.replace('$', "");
    let split = text.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = text.split_at(split);
    if letters.is_empty() || letters.len() > 4 || !letters.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let column = letters
        .bytes()
        .fold(0u64, |n, b| n * 26 + u64::from(b.to_ascii_uppercase() - b'A' + 1));
    Some((digits.parse().ok()?, column))
}

/// The rectangle a sheet's cells span.
#[derive(Default)]
struct Extent {
    min_row: u64,
    max_row: u64,
    min_column: u64,
    max_column: u64,
    any: bool,
}

impl Extent {
    fn add(&mut self, row: u64, column: u64) {
        if !self.any {
            (self.min_row, self.max_row, self.min_column, self.max_column) = (row, row, column, column);
            self.any = true;
        } else {
            self.min_row = self.min_row.min(row);
            self.max_row = self.max_row.max(row);
            self.min_column = self.min_column.min(column);
            self.max_column = self.max_column.max(column);
        }
    }

    fn check(&self, entry: &str, limits: &Limits) -> Result<(), Refusal> {
        if !self.any {
            return Ok(());
        }
        check_rectangle(
            entry,
            self.max_row - self.min_row + 1,
            self.max_column - self.min_column + 1,
            limits,
        )
    }
}

fn check_rectangle(entry: &str, rows: u64, columns: u64, limits: &Limits) -> Result<(), Refusal> {
    if rows > limits.max_rows || columns > limits.max_columns || rows.saturating_mul(columns) > limits.max_cells {
        return Err(Refusal::Dimensions {
            entry: shown(entry),
            rows,
            columns,
            max_rows: limits.max_rows,
            max_columns: limits.max_columns,
            max_cells: limits.max_cells,
        });
    }
    Ok(())
}

/// What a scan of one XML entry keeps track of.
#[derive(Default)]
struct Sheet {
    extent: Extent,
    /// XLSX: the current row (1-based) and column.
    row: u64,
    column: u64,
    /// ODS: the current row's first index, its repeat count, the column.
    ods_row: u64,
    ods_row_repeats: u64,
    ods_column: u64,
    ods_row_used: u64,
    shared_strings: u64,
}

fn scan_xml(reader: impl Read, entry: &str, limits: &Limits, contents: Contents) -> Result<(), Refusal> {
    let mut xml = quick_xml::Reader::from_reader(std::io::BufReader::new(reader));
    xml.config_mut().check_end_names = false;
    let mut buffer = Vec::new();
    let mut depth = 0u64;
    let mut sheet = Sheet::default();
    loop {
        buffer.clear();
        let event = xml.read_event_into(&mut buffer).map_err(|e| match e {
            quick_xml::Error::Io(io) => io_refusal(&io),
            other => Refusal::Damaged(format!("unreadable XML in `{}`: {other}", shown(entry))),
        })?;
        match &event {
            Event::Start(element) => {
                depth += 1;
                if depth > limits.max_depth {
                    return Err(Refusal::TooDeep {
                        entry: shown(entry),
                        max: limits.max_depth,
                    });
                }
                element_opened(element, true, entry, limits, contents, &mut sheet)?;
            }
            Event::Empty(element) => element_opened(element, false, entry, limits, contents, &mut sheet)?,
            Event::End(element) => {
                depth = depth.saturating_sub(1);
                if contents == Contents::Ods && element.name().as_ref() == "table:table-row" {
                    if sheet.ods_row_used > 0 {
                        let last = sheet.ods_row + sheet.ods_row_repeats - 1;
                        sheet.extent.add(sheet.ods_row, sheet.ods_row_used - 1);
                        sheet.extent.add(last, 0);
                        sheet.extent.check(entry, limits)?;
                    }
                    sheet.ods_row += sheet.ods_row_repeats;
                } else if contents == Contents::Ods && element.name().as_ref() == "table:table" {
                    sheet.extent.check(entry, limits)?;
                    sheet.extent = Extent::default();
                    sheet.ods_row = 0;
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    sheet.extent.check(entry, limits)
}

fn element_opened(
    element: &BytesStart<'_>,
    has_content: bool,
    entry: &str,
    limits: &Limits,
    contents: Contents,
    sheet: &mut Sheet,
) -> Result<(), Refusal> {
    match contents {
        Contents::Xlsx => match element.local_name().as_ref() {
            "dimension" => {
                if let Some(reference) = attribute(element, "ref") {
                    let mut corners = reference.split(':').filter_map(cell_reference);
                    if let (Some(first), Some(last)) = (corners.next(), corners.next()) {
                        check_rectangle(
                            entry,
                            last.0.abs_diff(first.0) + 1,
                            last.1.abs_diff(first.1) + 1,
                            limits,
                        )?;
                    }
                }
            }
            "row" => {
                sheet.row = number(element, "r").unwrap_or(sheet.row + 1);
                sheet.column = 0;
            }
            "c" => {
                match attribute(element, "r").as_deref().and_then(cell_reference) {
                    Some((row, column)) => (sheet.row, sheet.column) = (row, column),
                    None => sheet.column += 1,
                }
                if has_content {
                    sheet.extent.add(sheet.row.max(1), sheet.column.max(1));
                    sheet.extent.check(entry, limits)?;
                }
            }
            "f" => {
                if let Some(index) = number(element, "si")
                    && index >= limits.max_cells
                {
                    return Err(Refusal::SharedFormula {
                        entry: shown(entry),
                        max: limits.max_cells,
                    });
                }
            }
            "sst" => {
                for name in ["uniqueCount", "count"] {
                    if let Some(count) = number(element, name)
                        && count > limits.max_shared_strings
                    {
                        return Err(Refusal::SharedStrings {
                            count,
                            max: limits.max_shared_strings,
                        });
                    }
                    if attribute(element, name).is_some_and(|v| v.trim().parse::<u64>().is_err()) {
                        return Err(Refusal::Damaged("bad shared-string count".to_string()));
                    }
                }
            }
            "si" => {
                sheet.shared_strings += 1;
                if sheet.shared_strings > limits.max_shared_strings {
                    return Err(Refusal::SharedStrings {
                        count: sheet.shared_strings,
                        max: limits.max_shared_strings,
                    });
                }
            }
            _ => {}
        },
        Contents::Ods => match element.name().as_ref() {
            "table:table-row" => {
                sheet.ods_row_repeats = number(element, "table:number-rows-repeated").unwrap_or(1).max(1);
                sheet.ods_column = 0;
                sheet.ods_row_used = 0;
                if !has_content {
                    sheet.ods_row += sheet.ods_row_repeats;
                }
            }
            "table:table-cell" | "table:covered-table-cell" => {
                let repeats = number(element, "table:number-columns-repeated").unwrap_or(1).max(1);
                let valued = has_content || attribute(element, "office:value-type").is_some();
                sheet.ods_column = sheet.ods_column.saturating_add(repeats);
                if valued {
                    sheet.ods_row_used = sheet.ods_column;
                    check_rectangle(entry, 1, sheet.ods_column, limits)?;
                }
            }
            _ => {}
        },
        Contents::Docx => {}
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// CSV

/// Checks a CSV file (UTF-8 or UTF-16; `,`, `;` or tab): fields and bytes per record.
pub fn check_csv(content: &[u8], limits: &Limits) -> Result<(), Refusal> {
    check_size(content, limits)?;
    let units: Box<dyn Iterator<Item = u16>> = if let Some(rest) = content.strip_prefix(b"\xFF\xFE") {
        Box::new(
            rest.chunks(2)
                .map(|p| u16::from_le_bytes([p[0], p.get(1).copied().unwrap_or(0)])),
        )
    } else if let Some(rest) = content.strip_prefix(b"\xFE\xFF") {
        Box::new(
            rest.chunks(2)
                .map(|p| u16::from_be_bytes([p[0], p.get(1).copied().unwrap_or(0)])),
        )
    } else {
        Box::new(content.iter().map(|b| u16::from(*b)))
    };
    let mut quoted = false;
    let mut record = 1u64;
    let mut record_bytes = 0u64;
    let mut fields = [1u64; 3];
    let separators = [u16::from(b','), u16::from(b';'), u16::from(b'\t')];
    for unit in units {
        record_bytes += 1;
        if unit == u16::from(b'"') {
            quoted = !quoted;
        } else if !quoted && unit == u16::from(b'\n') {
            record += 1;
            record_bytes = 0;
            fields = [1; 3];
        } else if !quoted && let Some(k) = separators.iter().position(|s| *s == unit) {
            fields[k] += 1;
            if fields[k] > limits.max_fields {
                return Err(Refusal::TooManyFields {
                    record,
                    max: limits.max_fields,
                });
            }
        }
        if record_bytes > limits.max_record_bytes {
            return Err(Refusal::RecordTooLarge {
                record,
                max: limits.max_record_bytes,
            });
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// PDF

/// Checks a PDF: the nesting of arrays and dictionaries, and what each Flate
/// stream inflates to. Streams with other filters are left to the limits of
/// the process that parses the file.
pub fn check_pdf(content: &[u8], limits: &Limits) -> Result<(), Refusal> {
    check_size(content, limits)?;
    let mut unpacked = 0u64;
    let mut depth = 0u64;
    let mut at = 0usize;
    let mut dictionary_start = 0usize;
    while at < content.len() {
        match content[at] {
            b'%' => {
                // A comment, to the end of the line.
                while at < content.len() && content[at] != b'\n' && content[at] != b'\r' {
                    at += 1;
                }
            }
            b'(' => at = skip_string(content, at),
            b'[' => depth += 1,
            b']' => depth = depth.saturating_sub(1),
            b'<' if content.get(at + 1) == Some(&b'<') => {
                if depth == 0 {
                    dictionary_start = at;
                }
                depth += 1;
                at += 1;
            }
            b'>' if content.get(at + 1) == Some(&b'>') => {
                depth = depth.saturating_sub(1);
                at += 1;
            }
            b's' if content[at..].starts_with(b"stream") && !content[..at].ends_with(b"end") => {
                let mut data = at + 6;
                if content.get(data) == Some(&b'\r') {
                    data += 1;
                }
                if content.get(data) == Some(&b'\n') {
                    data += 1;
                }
                let end = find(&content[data..], b"endstream").map_or(content.len(), |e| data + e);
                let dictionary = &content[dictionary_start..at];
                if find(dictionary, b"/FlateDecode").is_some() || find(dictionary, b"/Fl ").is_some() {
                    let packed = &content[data..end];
                    let left = limits.max_unpacked_bytes - unpacked;
                    let (bound, by_ratio) = unpack_bound(packed.len() as u64, limits, left);
                    let mut counted = Counted {
                        inner: flate2::read::ZlibDecoder::new(packed),
                        read: 0,
                        max: bound,
                    };
                    // A stream that does not inflate is the parser's problem, not a risk.
                    let _ = std::io::copy(&mut counted, &mut std::io::sink());
                    if counted.read > bound {
                        return Err(over_bound("a PDF stream".to_string(), bound, by_ratio, left, limits));
                    }
                    unpacked += counted.read;
                }
                depth = 0;
                at = end + "endstream".len();
                continue;
            }
            _ => {}
        }
        if depth > limits.max_depth {
            return Err(Refusal::TooDeep {
                entry: "the PDF".to_string(),
                max: limits.max_depth,
            });
        }
        at += 1;
    }
    Ok(())
}

/// The index after a PDF literal string that starts at `at` (balanced
/// parentheses, backslash escapes).
fn skip_string(content: &[u8], mut at: usize) -> usize {
    let mut open = 0u32;
    while at < content.len() {
        match content[at] {
            b'\\' => at += 1,
            b'(' => open += 1,
            b')' => {
                open -= 1;
                if open == 0 {
                    return at;
                }
            }
            _ => {}
        }
        at += 1;
    }
    at
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

pub mod corpus;

#[cfg(test)]
mod tests;
