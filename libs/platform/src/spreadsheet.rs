//! Spreadsheets users upload, read one way for every service that imports a
//! table (the procedures catalogue, a plan's appendix), and CSV written one
//! way for Excel.
//!
//! - A file is checked against [`Limits`] before any parser sees it
//!   ([`eiso_untrusted`]: size, fields and bytes per CSV record; a workbook's
//!   archive, unpacked size and the rows, columns and cells its sheets span).
//! - CSV: UTF-8 with or without a byte-order mark, or UTF-16 (little- or
//!   big-endian) with one, as Excel's "Unicode Text" writes; separated by
//!   `,`, `;` or tabs, whichever the header line holds most of outside
//!   quotes (`,` on a tie). A workbook or binary data is refused.
//! - Workbooks: the first sheet of an XLSX (or ODS) workbook; legacy XLS and
//!   XLSB workbooks are refused (their records cannot be checked before
//!   reading). The parser reads untrusted bytes: a panic inside it is
//!   reported as a damaged file.
//! - Cells: text is NFC without zero-width spaces and byte-order marks, a
//!   number stays a number, a date or an Excel error is a [`Cell::Bad`] that
//!   says what is wrong with it. Rows keep the numbers the spreadsheet shows.
//!
//! Reading or writing a workbook of thousands of rows is CPU work: from async
//! code it runs through [`blocking`].

use std::borrow::Cow;
use std::io::Cursor;

use calamine::{Data, Reader};
use eiso_untrusted::{Limits, Refusal};
use unicode_normalization::UnicodeNormalization;

/// The formats a table comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    /// XLSX, or ODS.
    Xlsx,
}

/// A cell as read.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text, NFC (see [`nfc`]).
    Text(String),
    /// A number in a workbook.
    Number(f64),
    /// A value that is not text or a number (a date, an Excel error): what is wrong with it.
    Bad(String),
}

impl Cell {
    /// Empty or only white space.
    pub fn is_blank(&self) -> bool {
        matches!(self, Self::Text(text) if text.trim().is_empty())
    }
}

/// A table as read: its rows, blank ones included.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Grid {
    /// Each row with its 1-based number as the spreadsheet shows it.
    pub rows: Vec<(usize, Vec<Cell>)>,
    /// 0-based index of the sheet column the rows start in.
    pub first_column: u32,
}

/// A file that cannot be read as a table at all.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReadError {
    /// The content is not a CSV file.
    #[error("not a CSV file: {0}")]
    NotCsv(String),
    /// The content is not a spreadsheet workbook.
    #[error("not an XLSX workbook: {0}")]
    NotXlsx(String),
    /// The file is over a limit checked before reading it (size, declared
    /// dimensions, unpacked size, nesting).
    #[error("{0}")]
    Refused(Refusal),
}

/// Reads `content` as a table in `format`, checked against `limits` first.
pub fn read(format: Format, content: &[u8], limits: &Limits) -> Result<Grid, ReadError> {
    match format {
        Format::Csv => read_csv(content, limits),
        Format::Xlsx => read_workbook(content, limits),
    }
}

/// Reads a CSV file (see the module's description).
pub fn read_csv(content: &[u8], limits: &Limits) -> Result<Grid, ReadError> {
    eiso_untrusted::check_csv(content, limits).map_err(ReadError::Refused)?;
    let text = decode_text(content)?;
    if text.contains('\0') {
        return Err(ReadError::NotCsv("the file holds binary data".to_string()));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(detect_delimiter(&text))
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let record = record.map_err(|error| ReadError::NotCsv(error.to_string()))?;
        // Excel shows a record as one row whatever line breaks its cells hold.
        rows.push((index + 1, record.iter().map(|field| Cell::Text(nfc(field))).collect()));
    }
    Ok(Grid { rows, first_column: 0 })
}

/// The text of a CSV file: UTF-8 with or without a byte-order mark, or UTF-16 with one (as
/// Excel's "Unicode Text" writes).
pub fn decode_text(content: &[u8]) -> Result<Cow<'_, str>, ReadError> {
    if content.starts_with(b"PK\x03\x04") || content.starts_with(b"\xD0\xCF\x11\xE0") {
        return Err(ReadError::NotCsv(
            "this is a spreadsheet workbook; import it as XLSX".to_string(),
        ));
    }
    let utf16 = |bytes: &[u8], decode: fn([u8; 2]) -> u16| {
        let units: Vec<u16> = bytes
            .chunks(2)
            .map(|pair| decode([pair[0], *pair.get(1).unwrap_or(&0)]))
            .collect();
        String::from_utf16(&units)
            .map(Cow::Owned)
            .map_err(|_| ReadError::NotCsv("the file is not valid UTF-16 text".to_string()))
    };
    if let Some(rest) = content.strip_prefix(b"\xFF\xFE") {
        return utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = content.strip_prefix(b"\xFE\xFF") {
        return utf16(rest, u16::from_be_bytes);
    }
    let content = content.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(content);
    std::str::from_utf8(content).map(Cow::Borrowed).map_err(|_| {
        ReadError::NotCsv(
            "the file is not UTF-8 text; in Excel, save it as \"CSV UTF-8 (Comma delimited)\"".to_string(),
        )
    })
}

/// The separator of the header line: the most frequent of `,`, `;` and tab outside quotes
/// (`,` if none).
pub fn detect_delimiter(text: &str) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' | '\r' if !quoted => break,
            _ if !quoted => {
                if let Some(count) = counts.iter_mut().find(|(d, _)| char::from(*d) == c) {
                    count.1 += 1;
                }
            }
            _ => {}
        }
    }
    // `max_by_key` keeps the last of equal counts: order them so that `,` wins ties.
    counts.reverse();
    counts
        .iter()
        .max_by_key(|(_, count)| *count)
        .map_or(b',', |(delimiter, _)| *delimiter)
}

/// Reads the first sheet of a workbook (see the module's description).
pub fn read_workbook(content: &[u8], limits: &Limits) -> Result<Grid, ReadError> {
    // What is not an archive (nor a legacy workbook) calamine refuses at once.
    if content.starts_with(b"PK") || content.starts_with(b"\xD0\xCF\x11\xE0") {
        eiso_untrusted::check_workbook(content, limits).map_err(|refusal| match refusal {
            Refusal::Damaged(_) | Refusal::Unsupported(_) => ReadError::NotXlsx(refusal.to_string()),
            other => ReadError::Refused(other),
        })?;
    }
    if content.is_empty() {
        return Err(ReadError::NotXlsx("the file is empty".to_string()));
    }
    match std::panic::catch_unwind(|| read_first_sheet(content)) {
        Ok(grid) => grid,
        Err(_) => Err(ReadError::NotXlsx("the workbook is damaged".to_string())),
    }
}

fn read_first_sheet(content: &[u8]) -> Result<Grid, ReadError> {
    let mut workbook = calamine::open_workbook_auto_from_rs(Cursor::new(content)).map_err(|_| {
        let hint = if std::str::from_utf8(content).is_ok() {
            "; it looks like text: import it as CSV"
        } else {
            ""
        };
        ReadError::NotXlsx(format!("not an XLSX, XLS or ODS workbook{hint}"))
    })?;
    let range = match workbook.worksheet_range_at(0) {
        Some(range) => range.map_err(|error| ReadError::NotXlsx(format!("the first sheet cannot be read: {error}")))?,
        None => return Err(ReadError::NotXlsx("the workbook has no sheet".to_string())),
    };
    let Some((first_row, first_column)) = range.start() else {
        return Ok(Grid::default());
    };
    let rows = range
        .rows()
        .enumerate()
        .map(|(index, cells)| {
            (
                first_row as usize + index + 1,
                cells.iter().map(workbook_cell).collect(),
            )
        })
        .collect();
    Ok(Grid { rows, first_column })
}

fn workbook_cell(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Text(String::new()),
        Data::String(text) => Cell::Text(nfc(text)),
        Data::Int(number) => Cell::Number(*number as f64),
        Data::Float(number) => Cell::Number(*number),
        Data::Bool(value) => Cell::Text(if *value { "TRUE" } else { "FALSE" }.to_string()),
        Data::DateTime(_) | Data::DateTimeIso(_) | Data::DurationIso(_) => {
            Cell::Bad("holds a date or time; format the cell as Text and type the value again".to_string())
        }
        Data::Error(error) => Cell::Bad(format!("holds the Excel error {error}")),
    }
}

/// A number as a cell shows it: whole numbers without a decimal point.
pub fn number_text(number: f64) -> String {
    if number.fract() == 0.0 && number.abs() < 1e15 {
        format!("{}", number as i64)
    } else {
        format!("{number}")
    }
}

/// NFC, without zero-width spaces and byte-order marks.
pub fn nfc(text: &str) -> String {
    text.nfc().filter(|c| !matches!(c, '\u{200B}' | '\u{FEFF}')).collect()
}

/// Trimmed, each run of white space (line breaks, tabs, no-break spaces) one space.
pub fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// For comparing titles and fixed values: NFC, squashed, lower case.
pub fn fold(text: &str) -> String {
    squash(&nfc(text)).to_lowercase()
}

/// A table as CSV for Excel: UTF-8 with a byte-order mark (so that Excel shows Vietnamese
/// correctly), `,`-separated, CRLF line ends.
pub fn write_csv<R, C>(header: &[&str], rows: R) -> Result<Vec<u8>, csv::Error>
where
    R: IntoIterator,
    R::Item: IntoIterator<Item = C>,
    C: AsRef<[u8]>,
{
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    writer.write_record(header)?;
    for row in rows {
        writer.write_record(row)?;
    }
    writer.into_inner().map_err(|error| error.into_error().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits::IMPORT;

    fn texts(grid: &Grid) -> Vec<(usize, Vec<&str>)> {
        grid.rows
            .iter()
            .map(|(row, cells)| {
                let cells = cells
                    .iter()
                    .map(|cell| match cell {
                        Cell::Text(text) => text.as_str(),
                        Cell::Number(_) => "<number>",
                        Cell::Bad(_) => "<bad>",
                    })
                    .collect();
                (*row, cells)
            })
            .collect()
    }

    fn utf16(text: &str, mark: [u8; 2], unit: fn(u16) -> [u8; 2]) -> Vec<u8> {
        let mut bytes = mark.to_vec();
        bytes.extend(text.encode_utf16().flat_map(unit));
        bytes
    }

    #[test]
    fn utf8_with_or_without_a_byte_order_mark() {
        let plain = "Mã,Tên\n1,Cấp xã\n";
        let with_mark = [b"\xEF\xBB\xBF".as_slice(), plain.as_bytes()].concat();
        for content in [plain.as_bytes(), with_mark.as_slice()] {
            let grid = read_csv(content, &LIMITS).expect("UTF-8");
            assert_eq!(texts(&grid), [(1, vec!["Mã", "Tên"]), (2, vec!["1", "Cấp xã"])]);
        }
        let error = read_csv(b"M\xE3 TTHC,T\xEAn", &LIMITS).expect_err("Windows-1258");
        assert!(error.to_string().contains("CSV UTF-8"), "{error}");
    }

    #[test]
    fn utf16_little_and_big_endian_with_a_mark() {
        let text = "Mã\tTên\n1\tCấp xã\n";
        for content in [
            utf16(text, [0xFF, 0xFE], u16::to_le_bytes),
            utf16(text, [0xFE, 0xFF], u16::to_be_bytes),
        ] {
            let grid = read_csv(&content, &LIMITS).expect("UTF-16");
            assert_eq!(texts(&grid), [(1, vec!["Mã", "Tên"]), (2, vec!["1", "Cấp xã"])]);
        }
        // A lone surrogate is not text.
        let error = read_csv(&[0xFF, 0xFE, 0x00, 0xD8], &LIMITS).expect_err("bad UTF-16");
        assert!(matches!(error, ReadError::NotCsv(_)), "{error:?}");
    }

    #[test]
    fn text_is_composed_and_loses_invisible_marks() {
        let decomposed: String = "Thủ tục".nfd().collect();
        let content = format!("{decomposed}\u{200B},x\u{FEFF}\n");
        let grid = read_csv(content.as_bytes(), &LIMITS).expect("readable");
        assert_eq!(texts(&grid), [(1, vec!["Thủ tục", "x"])]);
        assert_eq!(fold("  Cấp   XÃ\n"), "cấp xã");
    }

    #[test]
    fn the_delimiter_is_the_header_lines_most_frequent_outside_quotes() {
        assert_eq!(detect_delimiter("a;b;c\n1,2,3,4,5\n"), b';');
        assert_eq!(detect_delimiter("a\tb\tc"), b'\t');
        assert_eq!(detect_delimiter("a,b;c"), b',', "`,` wins a tie");
        assert_eq!(detect_delimiter("title"), b',', "`,` when there is none");
        // Quoted separators do not count, nor do line breaks inside quotes end the line.
        assert_eq!(detect_delimiter("\"a,b,c\";\"d,e\";f\n1,2,3,4\n"), b';');
        assert_eq!(detect_delimiter("\"a\nb,c,d\";e;f\n"), b';');
        let grid = read_csv("\"Phí, lệ phí\";Tên\n\"50.000, 10.000\";x\n".as_bytes(), &LIMITS).expect("readable");
        assert_eq!(
            texts(&grid),
            [(1, vec!["Phí, lệ phí", "Tên"]), (2, vec!["50.000, 10.000", "x"])]
        );
    }

    #[test]
    fn a_record_over_several_lines_is_one_row() {
        let grid = read_csv(b"a,b\n\"one\ntwo\",x\nlast,y\n", &LIMITS).expect("readable");
        assert_eq!(
            texts(&grid),
            [(1, vec!["a", "b"]), (2, vec!["one\ntwo", "x"]), (3, vec!["last", "y"])]
        );
    }

    #[test]
    fn what_is_not_csv_text_is_refused() {
        let error = read_csv(b"PK\x03\x04rest", &LIMITS).expect_err("a workbook");
        assert!(error.to_string().contains("import it as XLSX"), "{error}");
        let error = read_csv(b"\xD0\xCF\x11\xE0rest", &LIMITS).expect_err("a legacy workbook");
        assert!(matches!(error, ReadError::NotCsv(_)), "{error:?}");
        let error = read_csv(b"a,b\n\0\0\n", &LIMITS).expect_err("binary");
        assert_eq!(error.to_string(), "not a CSV file: the file holds binary data");
        assert_eq!(read_csv(b"", &LIMITS).expect("empty"), Grid::default());
    }

    fn workbook() -> Vec<u8> {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let first = workbook.add_worksheet();
        // The table starts at C3 under an empty area.
        first.write_string(2, 2, "Mã").expect("cell");
        first.write_string(2, 3, "Thời hạn").expect("cell");
        first.write_number(3, 2, 2.002481).expect("cell");
        first.write_number(3, 3, 15).expect("cell");
        first.write_boolean(4, 2, true).expect("cell");
        let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2025, 3, 15).expect("date");
        let format = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
        first.write_datetime_with_format(4, 3, &date, &format).expect("cell");
        let decomposed: String = "Cấp xã".nfd().collect();
        first.write_string(5, 2, &decomposed).expect("cell");
        let second = workbook.add_worksheet();
        second.write_string(0, 0, "not read").expect("cell");
        workbook.save_to_buffer().expect("workbook")
    }

    #[test]
    fn a_workbook_is_its_first_sheet_with_the_row_numbers_it_shows() {
        let grid = read_workbook(&workbook(), &LIMITS).expect("readable");
        assert_eq!(grid.first_column, 2);
        let rows: Vec<usize> = grid.rows.iter().map(|(row, _)| *row).collect();
        assert_eq!(rows, [3, 4, 5, 6]);
        assert_eq!(grid.rows[0].1, [Cell::Text("Mã".into()), Cell::Text("Thời hạn".into())]);
        assert_eq!(grid.rows[1].1, [Cell::Number(2.002481), Cell::Number(15.0)]);
        assert_eq!(grid.rows[2].1[0], Cell::Text("TRUE".into()));
        assert!(matches!(&grid.rows[2].1[1], Cell::Bad(problem) if problem.contains("holds a date")));
        assert_eq!(grid.rows[3].1[0], Cell::Text("Cấp xã".into()));
        assert_eq!(number_text(15.0), "15");
        assert_eq!(number_text(2.5), "2.5");
        assert_eq!(
            read(Format::Xlsx, &workbook(), &LIMITS).expect("same"),
            grid,
            "read picks the reader of the format"
        );
    }

    #[test]
    fn what_is_not_a_readable_workbook_is_refused_not_a_panic() {
        let good = workbook();
        let mut damaged = good.clone();
        for index in (200..damaged.len()).step_by(97) {
            damaged[index] ^= 0x5A;
        }
        for content in [
            Vec::new(),
            good[..good.len() / 2].to_vec(),
            damaged,
            b"PK\x03\x04 and nothing else".to_vec(),
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 a legacy workbook".to_vec(),
        ] {
            match read_workbook(&content, &LIMITS) {
                Err(ReadError::NotXlsx(_)) => {}
                other => panic!("{} bytes: {other:?}", content.len()),
            }
        }
        let error = read_workbook(b"a,b\n1,2\n", &LIMITS).expect_err("CSV");
        assert!(error.to_string().contains("import it as CSV"), "{error}");
    }

    #[test]
    fn files_over_the_limits_are_refused_before_reading() {
        let small = Limits {
            max_file_bytes: 100,
            ..LIMITS
        };
        let large = "a,b\n".repeat(50);
        assert!(matches!(
            read_csv(large.as_bytes(), &small),
            Err(ReadError::Refused(Refusal::TooLarge { .. }))
        ));
        let narrow = Limits {
            max_fields: 3,
            ..LIMITS
        };
        assert!(matches!(
            read_csv(b"a,b,c,d\n", &narrow),
            Err(ReadError::Refused(Refusal::TooManyFields { .. }))
        ));
        // A sheet spanning more rows than allowed (rows 3 to 6 are 4) is refused, whatever its size.
        let short = Limits { max_rows: 3, ..LIMITS };
        assert!(matches!(
            read_workbook(&workbook(), &short),
            Err(ReadError::Refused(Refusal::Dimensions { .. }))
        ));
        assert!(read_workbook(&workbook(), &Limits { max_rows: 4, ..LIMITS }).is_ok());
    }

    #[test]
    fn written_csv_reads_back() {
        let rows = vec![vec!["1", "Cấp xã, tỉnh"], vec!["2", "một\nhai"]];
        let content = write_csv(&["Mã", "Tên"], &rows).expect("written");
        assert!(content.starts_with(b"\xEF\xBB\xBF"));
        assert!(content.windows(2).any(|w| w == b"\r\n"));
        let grid = read_csv(&content, &LIMITS).expect("read back");
        assert_eq!(
            texts(&grid),
            [
                (1, vec!["Mã", "Tên"]),
                (2, vec!["1", "Cấp xã, tỉnh"]),
                (3, vec!["2", "một\nhai"])
            ]
        );
    }
}
