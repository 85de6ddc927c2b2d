//! Import and export of the procedures catalogue as CSV and XLSX tables, so that an office
//! can keep its list of procedures (thủ tục hành chính) in a spreadsheet and load it into
//! eiso.
//!
//! One procedure per row. The header row holds the Vietnamese column titles of [`COLUMNS`];
//! on import each column may also be titled with its stable machine key ([`COLUMN_KEYS`]),
//! in any letter case, composed or decomposed (titles and cells are NFC-normalised). Columns
//! may come in any order; a column titled `STT` (row number) is ignored; an unknown title
//! or a missing required column makes the whole file unreadable ([`TableError::BadHeader`]).
//!
//! | column | key | required | written as |
//! |---|---|---|---|
//! | Mã TTHC | `code` | yes | national code: `2.002481`, `1.001234.000.00.00.H31` (digits, capital letters, dots; 1–40 characters) |
//! | Tên thủ tục | `display_name` | yes | text |
//! | Lĩnh vực | `field` | yes | text, e.g. `Giáo dục trung học` |
//! | Cấp thực hiện | `level` | yes | `Cấp trung ương`, `Cấp tỉnh`, `Cấp huyện`, `Cấp xã` (also `Cấp bộ`, without `Cấp`, or the enum name) |
//! | Cơ quan thực hiện | `agency` | yes | `units/{id}` |
//! | Thời hạn giải quyết | `processing_time` | yes | `15 ngày làm việc`, `8 giờ làm việc` (also `15 ngày`, `8 giờ`, and `15` alone = working days) |
//! | Bổ sung hồ sơ | `supplement_mode` | no | `Tính lại từ đầu` (restart; the default when empty) or `Tạm dừng` (pause) |
//! | Các bước | `steps` | no | one step a line: `Tên bước \| Người thực hiện \| 4 giờ` (the handler may be left out) |
//! | Thành phần hồ sơ | `required_documents` | no | one document a line: `Tên giấy tờ \| Bản chính \| 1 bộ` (sets default to 1) |
//! | Phí, lệ phí | `fees` | no | one fee a line: `Mô tả \| 50.000 đồng`; `Không` or empty = no fee |
//! | Căn cứ pháp lý | `legal_basis` | no | one legal text a line |
//! | Mức độ DVC trực tuyến | `online_level` | no | `Toàn trình`, `Một phần`, `Cung cấp thông tin` (also `Mức độ 4/3/2`) |
//! | Quy trình ISO | `process_document` | no | `documents/{id}` or empty |
//!
//! Copy kinds: `Bản chính`, `Bản sao có chứng thực`, `Bản sao` (photocopy, also `Bản photo`),
//! `Bản chính hoặc bản sao có chứng thực`. Amounts are whole đồng, thousands grouped with
//! dots (`1.500.000 đồng`; `đ`, `VNĐ` or no unit are accepted too).
//!
//! A row that cannot be read is reported as [`ImportRowError`]s naming the row and the
//! column; the other rows still import. Among the checks, the steps' hours must add up to the
//! processing time, counting a working day as [`HOURS_PER_DAY`] hours: the table does not
//! know the agency's calendar, so the service checks again against it.
//!
//! Export writes the Vietnamese header and one row per procedure: UTF-8 CSV with a byte-order
//! mark (so that Excel shows Vietnamese correctly), or a workbook whose first sheet is the
//! table (bold frozen header, wrapped multi-line cells, drop-down lists for the fixed values)
//! and whose second sheet explains the columns. Import reads the file with
//! [`eiso_platform::spreadsheet`], the one reader of uploaded tables: CSV with or without the mark,
//! separated by `,`, `;` or tabs (detected from the header line), UTF-8 or UTF-16 with a
//! mark, and the first sheet of an XLSX (also ODS) workbook; legacy XLS and XLSB workbooks are
//! refused (their records cannot be checked before reading). Files over [`eiso_untrusted::Limits::IMPORT`]
//! (size, unpacked size, cells spanned, columns) are refused before any parser sees them.

mod cells;
mod columns;
mod read;
mod write;

use eiso_platform::spreadsheet::ReadError;
use eiso_proto::eiso::procedures::v1::{ImportRowError, ProcedureVersion};

pub use read::import;
pub use write::{export_csv, export_xlsx};

/// The column titles the export writes, in order (Vietnamese, for the office editing the
/// sheet). Parallel to [`COLUMN_KEYS`].
pub const COLUMNS: &[&str] = &[
    "Mã TTHC",
    "Tên thủ tục",
    "Lĩnh vực",
    "Cấp thực hiện",
    "Cơ quan thực hiện",
    "Thời hạn giải quyết",
    "Bổ sung hồ sơ",
    "Các bước",
    "Thành phần hồ sơ",
    "Phí, lệ phí",
    "Căn cứ pháp lý",
    "Mức độ DVC trực tuyến",
    "Quy trình ISO",
];

/// The stable machine key of each column of [`COLUMNS`], accepted as a title on import.
pub const COLUMN_KEYS: &[&str] = &[
    "code",
    "display_name",
    "field",
    "level",
    "agency",
    "processing_time",
    "supplement_mode",
    "steps",
    "required_documents",
    "fees",
    "legal_basis",
    "online_level",
    "process_document",
];

/// Working hours in a working day, for checking that the steps add up to a processing time
/// given in days. The service checks again against the agency's calendar.
pub const HOURS_PER_DAY: i64 = 8;

/// At most this many procedures in one file.
pub const MAX_ROWS: usize = 10_000;

/// One row of the table: a procedure's code and the content of one of its versions.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogueRow {
    /// National code, e.g. `2.002481`.
    pub code: String,
    /// Only the content fields are read or written: `display_name`, `field`, `level`,
    /// `agency`, `processing_time`, `supplement_mode`, `steps`, `required_documents`, `fees`,
    /// `legal_basis`, `online_level`, `process_document`. Import leaves the others at their
    /// defaults.
    pub version: ProcedureVersion,
}

impl CatalogueRow {
    /// The row for `version` of procedure `code`, keeping only the content fields (so that
    /// it compares equal to an imported row with the same content).
    pub fn new(code: impl Into<String>, version: &ProcedureVersion) -> Self {
        let content = ProcedureVersion {
            display_name: version.display_name.clone(),
            field: version.field.clone(),
            level: version.level,
            agency: version.agency.clone(),
            processing_time: version.processing_time,
            supplement_mode: version.supplement_mode,
            steps: version.steps.clone(),
            required_documents: version.required_documents.clone(),
            fees: version.fees.clone(),
            legal_basis: version.legal_basis.clone(),
            online_level: version.online_level,
            process_document: version.process_document.clone(),
            ..ProcedureVersion::default()
        };
        Self {
            code: code.into(),
            version: content,
        }
    }
}

/// One imported data row: the procedure, or everything wrong with the row.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedRow {
    /// 1-based row number as the spreadsheet shows it, the header being row 1 (in an XLSX
    /// sheet whose header is lower down, the sheet's own row number).
    pub row: i32,
    /// The row's procedure, or its errors (each with this row number and the column's
    /// Vietnamese title, or an empty column for the row as a whole).
    pub result: Result<CatalogueRow, Vec<ImportRowError>>,
}

/// A file that cannot be imported at all, or a catalogue that cannot be exported.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// The format is `TABLE_FORMAT_UNSPECIFIED`.
    #[error("the table format is not set (expected CSV or XLSX)")]
    FormatUnspecified,
    /// The content is not a CSV file.
    #[error("not a CSV file: {0}")]
    NotCsv(String),
    /// The content is not a spreadsheet workbook.
    #[error("not an XLSX workbook: {0}")]
    NotXlsx(String),
    /// The file is over a limit checked before reading it (size, declared
    /// dimensions, unpacked size, nesting).
    #[error("{0}")]
    Refused(eiso_untrusted::Refusal),
    /// The file holds no header row.
    #[error(
        "the table is empty: the first row must hold the column titles ({})",
        quoted(COLUMNS)
    )]
    NoHeader,
    /// The header row names columns that are not the catalogue's, or lacks required ones.
    #[error("{}", describe_header(.unknown, .missing, .duplicated))]
    BadHeader {
        /// Titles that name no column, as written.
        unknown: Vec<String>,
        /// Required columns absent, by Vietnamese title.
        missing: Vec<String>,
        /// Columns given twice, by title as written.
        duplicated: Vec<String>,
    },
    /// More than [`MAX_ROWS`] data rows.
    #[error("the table has {0} rows; at most {MAX_ROWS} procedures can be imported at once")]
    TooManyRows(usize),
    /// A procedure holds a value the table cannot represent unambiguously.
    #[error("procedure {code}: the column `{column}` cannot be exported: {reason}")]
    Unexportable {
        /// The procedure's code.
        code: String,
        /// The column's Vietnamese title.
        column: &'static str,
        /// Why.
        reason: String,
    },
    /// Writing the file failed.
    #[error("writing the {format} file failed: {reason}")]
    Write {
        /// `CSV` or `XLSX`.
        format: &'static str,
        /// The writer's error.
        reason: String,
    },
}

impl From<ReadError> for TableError {
    fn from(error: ReadError) -> Self {
        match error {
            ReadError::NotCsv(reason) => Self::NotCsv(reason),
            ReadError::NotXlsx(reason) => Self::NotXlsx(reason),
            ReadError::Refused(refusal) => Self::Refused(refusal),
        }
    }
}

fn describe_header(unknown: &[String], missing: &[String], duplicated: &[String]) -> String {
    let mut problems = Vec::new();
    if !unknown.is_empty() {
        problems.push(format!("unknown columns {}", quoted(unknown)));
    }
    if !missing.is_empty() {
        problems.push(format!("missing required columns {}", quoted(missing)));
    }
    if !duplicated.is_empty() {
        problems.push(format!("columns given twice {}", quoted(duplicated)));
    }
    format!(
        "the header row is not the catalogue's: {}; the columns are {}",
        problems.join("; "),
        quoted(COLUMNS)
    )
}

fn quoted<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(|item| format!("`{}`", item.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests;
