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

use std::collections::HashMap;

use eiso_platform::spreadsheet::{self, Cell, ReadError, fold, number_text, squash};
use eiso_proto::eiso::procedures::v1::{
    CopyKind, Fee, ImportRowError, OnlineLevel, ProcedureLevel, ProcedureStep, ProcedureVersion, ProcessingTime,
    RequiredDocument, SupplementMode, TableFormat, processing_time::Budget,
};
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, Format, FormatAlign, FormatBorder, Workbook, XlsxError,
};

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

/// Longest texts, in characters (as the catalogue's own checks).
const MAX_NAME_CHARS: usize = 500;
const MAX_FIELD_CHARS: usize = 200;
const MAX_STEP_CHARS: usize = 300;
const MAX_DOCUMENT_CHARS: usize = 500;
const MAX_FEE_CHARS: usize = 300;
const MAX_LEGAL_BASIS_CHARS: usize = 500;
/// Most lines in one list cell.
const MAX_LINES: usize = 200;
/// Longest processing time, in working days.
const MAX_DAYS: i64 = 1_000;
/// Most sets of one document.
const MAX_SETS: i64 = 100;
/// Largest fee, in đồng.
const MAX_AMOUNT: i64 = 1_000_000_000_000;
/// Longest national code.
const MAX_CODE_CHARS: usize = 40;
/// Titles of columns that are ignored on import (a row number column).
const IGNORED_TITLES: &[&str] = &["stt", "số tt", "số thứ tự"];

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

// ---------------------------------------------------------------------------------------
// Columns

/// The columns, in the order of [`COLUMNS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Code,
    DisplayName,
    Field,
    Level,
    Agency,
    ProcessingTime,
    SupplementMode,
    Steps,
    RequiredDocuments,
    Fees,
    LegalBasis,
    OnlineLevel,
    ProcessDocument,
}

const ALL_COLUMNS: [Column; 13] = [
    Column::Code,
    Column::DisplayName,
    Column::Field,
    Column::Level,
    Column::Agency,
    Column::ProcessingTime,
    Column::SupplementMode,
    Column::Steps,
    Column::RequiredDocuments,
    Column::Fees,
    Column::LegalBasis,
    Column::OnlineLevel,
    Column::ProcessDocument,
];

impl Column {
    fn title(self) -> &'static str {
        COLUMNS[self as usize]
    }

    fn key(self) -> &'static str {
        COLUMN_KEYS[self as usize]
    }

    fn required(self) -> bool {
        matches!(
            self,
            Self::Code | Self::DisplayName | Self::Field | Self::Level | Self::Agency | Self::ProcessingTime
        )
    }

    /// Width in the XLSX sheet, in characters.
    fn width(self) -> f64 {
        match self {
            Self::Code => 22.0,
            Self::DisplayName => 45.0,
            Self::Field => 24.0,
            Self::Level => 15.0,
            Self::Agency => 26.0,
            Self::ProcessingTime => 18.0,
            Self::SupplementMode => 16.0,
            Self::Steps => 60.0,
            Self::RequiredDocuments => 65.0,
            Self::Fees => 34.0,
            Self::LegalBasis => 55.0,
            Self::OnlineLevel => 20.0,
            Self::ProcessDocument => 30.0,
        }
    }

    /// How to fill the column, for the guide sheet of the workbook.
    fn guide(self) -> &'static str {
        match self {
            Self::Code => "Mã thủ tục trên Cơ sở dữ liệu quốc gia về TTHC, ví dụ 2.002481 hoặc 1.001234.000.00.00.H31",
            Self::DisplayName => "Tên đầy đủ của thủ tục",
            Self::Field => "Lĩnh vực, ví dụ: Giáo dục trung học",
            Self::Level => "Cấp trung ương, Cấp tỉnh, Cấp huyện hoặc Cấp xã",
            Self::Agency => "Đơn vị giải quyết trong eiso: units/{mã đơn vị}",
            Self::ProcessingTime => {
                "Ví dụ: 15 ngày làm việc hoặc 8 giờ làm việc; chỉ ghi số thì hiểu là số ngày làm việc"
            }
            Self::SupplementMode => {
                "Khi yêu cầu bổ sung hồ sơ: Tính lại từ đầu (mặc định, để trống cũng vậy) hoặc Tạm dừng"
            }
            Self::Steps => {
                "Mỗi bước một dòng: Tên bước | Người thực hiện | 4 giờ. Tổng số giờ các bước phải bằng thời hạn \
                 giải quyết (1 ngày làm việc = 8 giờ)"
            }
            Self::RequiredDocuments => {
                "Mỗi giấy tờ một dòng: Tên giấy tờ | Loại bản | 1 bộ. Loại bản: Bản chính, Bản sao có chứng thực, \
                 Bản sao, Bản chính hoặc bản sao có chứng thực"
            }
            Self::Fees => "Mỗi khoản một dòng: Mô tả | 50.000 đồng. Ghi Không nếu không thu phí, lệ phí",
            Self::LegalBasis => "Mỗi văn bản một dòng",
            Self::OnlineLevel => "Toàn trình, Một phần hoặc Cung cấp thông tin",
            Self::ProcessDocument => "Tài liệu quy trình ISO: documents/{mã tài liệu}, hoặc để trống",
        }
    }
}

// ---------------------------------------------------------------------------------------
// Vocabularies of the enumerated columns: (value, label written on export, other spellings
// accepted). The enum's proto name, with or without its prefix, is accepted too.

type Vocabulary<T> = &'static [(T, &'static str, &'static [&'static str])];

const LEVELS: Vocabulary<ProcedureLevel> = &[
    (
        ProcedureLevel::Central,
        "Cấp trung ương",
        &["trung ương", "cấp bộ", "bộ"],
    ),
    (ProcedureLevel::Provincial, "Cấp tỉnh", &["tỉnh"]),
    (ProcedureLevel::District, "Cấp huyện", &["huyện"]),
    (ProcedureLevel::Commune, "Cấp xã", &["xã"]),
];

const SUPPLEMENT_MODES: Vocabulary<SupplementMode> = &[
    (SupplementMode::Restart, "Tính lại từ đầu", &["tính lại"]),
    (SupplementMode::Pause, "Tạm dừng", &["tạm ngừng"]),
];

const COPY_KINDS: Vocabulary<CopyKind> = &[
    (CopyKind::Original, "Bản chính", &[]),
    (
        CopyKind::CertifiedCopy,
        "Bản sao có chứng thực",
        &["bản sao chứng thực", "bản sao công chứng"],
    ),
    (
        CopyKind::Photocopy,
        "Bản sao",
        &["bản photo", "bản phô tô", "bản photocopy", "bản chụp"],
    ),
    (
        CopyKind::OriginalOrCertified,
        "Bản chính hoặc bản sao có chứng thực",
        &["bản chính hoặc bản sao chứng thực"],
    ),
];

const ONLINE_LEVELS: Vocabulary<OnlineLevel> = &[
    (
        OnlineLevel::Full,
        "Toàn trình",
        &[
            "dvc trực tuyến toàn trình",
            "dịch vụ công trực tuyến toàn trình",
            "mức độ 4",
            "mức 4",
        ],
    ),
    (
        OnlineLevel::Partial,
        "Một phần",
        &[
            "dvc trực tuyến một phần",
            "dịch vụ công trực tuyến một phần",
            "mức độ 3",
            "mức 3",
        ],
    ),
    (
        OnlineLevel::Information,
        "Cung cấp thông tin",
        &["chỉ cung cấp thông tin", "mức độ 2", "mức 2", "mức độ 1", "mức 1"],
    ),
];

/// The value `text` spells in `vocabulary`, whose proto names are `enum_name` and start with
/// `prefix`.
fn lookup<T: Copy>(
    text: &str,
    vocabulary: Vocabulary<T>,
    enum_name: fn(&T) -> &'static str,
    prefix: &str,
) -> Option<T> {
    let folded = fold(text);
    vocabulary.iter().find_map(|(value, label, aliases)| {
        let name = enum_name(value);
        let matches = fold(label) == folded
            || aliases.iter().any(|alias| fold(alias) == folded)
            || name.to_lowercase() == folded
            || name
                .strip_prefix(prefix)
                .is_some_and(|short| short.to_lowercase() == folded);
        matches.then_some(*value)
    })
}

fn label<T: PartialEq>(value: T, vocabulary: Vocabulary<T>) -> &'static str {
    vocabulary
        .iter()
        .find(|(v, _, _)| *v == value)
        .map_or("", |(_, label, _)| label)
}

fn labels<T>(vocabulary: Vocabulary<T>) -> Vec<&'static str> {
    vocabulary.iter().map(|(_, label, _)| *label).collect()
}

fn expected<T>(vocabulary: Vocabulary<T>) -> String {
    quoted(&labels(vocabulary))
}

// ---------------------------------------------------------------------------------------
// Text

/// One line of text: squashed, checked for length and control characters.
fn clean_text(text: &str, max_chars: usize) -> Result<String, String> {
    let text = squash(text);
    if text.chars().count() > max_chars {
        Err(format!("is longer than {max_chars} characters"))
    } else if text.chars().any(char::is_control) {
        Err("must not contain control characters".to_string())
    } else {
        Ok(text)
    }
}

/// The non-blank lines of a list cell, numbered from 1 as the cell shows them.
fn cell_lines(text: &str) -> Vec<(usize, &str)> {
    text.split('\n')
        .enumerate()
        .map(|(index, line)| (index + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty())
        .collect()
}

/// A whole number followed by one of `units` (`""` allows the number alone).
fn number_with_unit(text: &str, units: &[&str]) -> Option<i64> {
    let text = fold(text);
    let digits = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    if digits == 0 || digits > 12 {
        return None;
    }
    let number = text[..digits].parse().ok()?;
    let unit = text[digits..].trim();
    units.iter().any(|candidate| fold(candidate) == unit).then_some(number)
}

const DAY_UNITS: &[&str] = &[
    "ngày làm việc",
    "ngày",
    "ngay lam viec",
    "ngay",
    "working days",
    "days",
    "d",
];
const HOUR_UNITS: &[&str] = &[
    "giờ làm việc",
    "giờ",
    "gio lam viec",
    "gio",
    "working hours",
    "hours",
    "h",
];
const SET_UNITS: &[&str] = &["", "bộ", "bo", "sets", "set"];
const CURRENCY_UNITS: &[&str] = &["", "đồng", "đ", "vnđ", "vnd", "dong"];
const NO_FEE: &[&str] = &[
    "không",
    "không có",
    "không thu",
    "không thu phí",
    "miễn phí",
    "khong",
    "none",
];

fn with_bare_number<'a>(units: &[&'a str]) -> Vec<&'a str> {
    let mut all = vec![""];
    all.extend_from_slice(units);
    all
}

// ---------------------------------------------------------------------------------------
// Values: parsing (import) and formatting (export)

fn parse_code(text: &str) -> Result<String, String> {
    let code = text.trim().to_uppercase();
    let well_formed = code.chars().count() <= MAX_CODE_CHARS
        && code.starts_with(|c: char| c.is_ascii_digit())
        && code
            .split('.')
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric()));
    if well_formed {
        Ok(code)
    } else {
        Err(format!(
            "`{}` is not a national procedure code (digits, capital letters and dots, at most {MAX_CODE_CHARS} \
             characters, e.g. `2.002481` or `1.001234.000.00.00.H31`)",
            text.trim()
        ))
    }
}

/// A code that Excel stored as a number: national short codes are `d.dddddd`, so the number
/// gives the code back when written with six decimals.
fn numeric_code(value: f64) -> Result<String, String> {
    let text = format!("{value:.6}");
    if value > 0.0 && value < 10.0 && text.parse::<f64>() == Ok(value) {
        Ok(text)
    } else {
        Err(format!(
            "`{value}` was stored by Excel as a number, which loses the code's digits; format the column as \
             Text and type the code again"
        ))
    }
}

fn parse_level(text: &str) -> Result<ProcedureLevel, String> {
    lookup(text, LEVELS, ProcedureLevel::as_str_name, "PROCEDURE_LEVEL_")
        .ok_or_else(|| format!("unknown level `{}` (expected {})", text.trim(), expected(LEVELS)))
}

fn parse_supplement_mode(text: &str) -> Result<SupplementMode, String> {
    if text.trim().is_empty() {
        return Ok(SupplementMode::Restart);
    }
    lookup(text, SUPPLEMENT_MODES, SupplementMode::as_str_name, "SUPPLEMENT_MODE_").ok_or_else(|| {
        format!(
            "unknown supplement mode `{}` (expected {})",
            text.trim(),
            expected(SUPPLEMENT_MODES)
        )
    })
}

fn parse_online_level(text: &str) -> Result<OnlineLevel, String> {
    if text.trim().is_empty() {
        return Ok(OnlineLevel::Unspecified);
    }
    lookup(text, ONLINE_LEVELS, OnlineLevel::as_str_name, "ONLINE_LEVEL_").ok_or_else(|| {
        format!(
            "unknown online-service level `{}` (expected {})",
            text.trim(),
            expected(ONLINE_LEVELS)
        )
    })
}

fn parse_copy_kind(text: &str) -> Result<CopyKind, String> {
    lookup(text, COPY_KINDS, CopyKind::as_str_name, "COPY_KIND_").ok_or_else(|| {
        format!(
            "unknown copy kind `{}` (expected {})",
            text.trim(),
            expected(COPY_KINDS)
        )
    })
}

/// A resource id: 1–63 of `a-z 0-9 -`, as everywhere in eiso.
fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 63
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// `collection/{id}`.
fn parse_name(text: &str, collection: &str) -> Result<String, String> {
    let name = text.trim();
    match name.strip_prefix(collection).and_then(|rest| rest.strip_prefix('/')) {
        Some(id) if valid_id(id) => Ok(name.to_string()),
        _ => Err(format!(
            "`{name}` is not a {collection} name (expected `{collection}/{{id}}`, the id in lower-case letters, \
             digits and `-`)"
        )),
    }
}

fn parse_processing_time(text: &str) -> Result<Budget, String> {
    let days_units = with_bare_number(DAY_UNITS);
    if let Some(days) = number_with_unit(text, &days_units) {
        if (1..=MAX_DAYS).contains(&days) {
            return Ok(Budget::WorkingDays(days as i32));
        }
        return Err(format!("must be between 1 and {MAX_DAYS} working days"));
    }
    if let Some(hours) = number_with_unit(text, HOUR_UNITS) {
        if (1..=MAX_DAYS * HOURS_PER_DAY).contains(&hours) {
            return Ok(Budget::WorkingHours(hours as i32));
        }
        return Err(format!(
            "must be between 1 and {} working hours",
            MAX_DAYS * HOURS_PER_DAY
        ));
    }
    Err(format!(
        "`{}` is not a processing time (write a whole number of working days or hours, e.g. `15 ngày làm việc` \
         or `8 giờ làm việc`)",
        text.trim()
    ))
}

fn format_processing_time(time: Option<&ProcessingTime>) -> String {
    match time.and_then(|time| time.budget) {
        Some(Budget::WorkingDays(days)) => format!("{days} ngày làm việc"),
        Some(Budget::WorkingHours(hours)) => format!("{hours} giờ làm việc"),
        None => String::new(),
    }
}

fn budget_hours(budget: Budget) -> i64 {
    match budget {
        Budget::WorkingDays(days) => i64::from(days) * HOURS_PER_DAY,
        Budget::WorkingHours(hours) => i64::from(hours),
    }
}

/// The `|`-separated parts of a list line, each cleaned.
fn parts(line: &str, max_chars: usize) -> Result<Vec<String>, String> {
    line.split('|').map(|part| clean_text(part, max_chars)).collect()
}

fn parse_step(line: &str) -> Result<ProcedureStep, String> {
    let parts = parts(line, MAX_STEP_CHARS)?;
    let (name, handler, time) = match parts.as_slice() {
        [name, handler, time] => (name, handler, time),
        [name, time] => (name, &String::new(), time),
        _ => return Err("expected `Tên bước | Người thực hiện | 4 giờ`".to_string()),
    };
    if name.is_empty() {
        return Err("the step's name is missing (expected `Tên bước | Người thực hiện | 4 giờ`)".to_string());
    }
    let Some(hours) = number_with_unit(time, &with_bare_number(HOUR_UNITS)) else {
        if let Some(days) = number_with_unit(time, DAY_UNITS) {
            return Err(format!(
                "write a step's time in working hours: `{} giờ` for {days} working days",
                days.saturating_mul(HOURS_PER_DAY)
            ));
        }
        return Err(format!(
            "`{time}` is not a whole number of working hours (e.g. `4 giờ`)"
        ));
    };
    if hours > MAX_DAYS * HOURS_PER_DAY {
        return Err(format!(
            "a step takes at most {} working hours",
            MAX_DAYS * HOURS_PER_DAY
        ));
    }
    Ok(ProcedureStep {
        display_name: name.clone(),
        handler: handler.clone(),
        working_hours: hours as i32,
    })
}

fn format_step(step: &ProcedureStep) -> String {
    format!("{} | {} | {} giờ", step.display_name, step.handler, step.working_hours)
}

fn parse_document(line: &str) -> Result<RequiredDocument, String> {
    let parts = parts(line, MAX_DOCUMENT_CHARS)?;
    let (name, kind, sets) = match parts.as_slice() {
        [name, kind, sets] => (name, kind, Some(sets)),
        [name, kind] => (name, kind, None),
        _ => return Err("expected `Tên giấy tờ | Bản chính | 1 bộ`".to_string()),
    };
    if name.is_empty() {
        return Err("the document's name is missing (expected `Tên giấy tờ | Bản chính | 1 bộ`)".to_string());
    }
    let copy_kind = parse_copy_kind(kind)?;
    let sets = match sets {
        None => 1,
        Some(sets) => match number_with_unit(sets, SET_UNITS) {
            Some(n) if (1..=MAX_SETS).contains(&n) => n,
            Some(_) => return Err(format!("the number of sets must be between 1 and {MAX_SETS}")),
            None => return Err(format!("`{sets}` is not a number of sets (e.g. `1 bộ`)")),
        },
    };
    Ok(RequiredDocument {
        display_name: name.clone(),
        copy_kind: copy_kind as i32,
        sets: sets as i32,
    })
}

fn format_document(document: &RequiredDocument) -> String {
    format!(
        "{} | {} | {} bộ",
        document.display_name,
        label(document.copy_kind(), COPY_KINDS),
        document.sets
    )
}

/// Whole đồng, thousands grouped with dots (or commas), optionally followed by the currency.
fn parse_amount(text: &str) -> Result<i64, String> {
    let folded = fold(text);
    if NO_FEE.contains(&folded.as_str()) {
        return Ok(0);
    }
    if folded.starts_with('-') {
        return Err(format!("the amount `{}` is negative", text.trim()));
    }
    let end = folded
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(folded.len());
    let (number, unit) = (&folded[..end], folded[end..].trim());
    let not_an_amount = || format!("`{}` is not an amount in đồng (e.g. `50.000 đồng`)", text.trim());
    if number.is_empty() || !CURRENCY_UNITS.contains(&unit) {
        return Err(not_an_amount());
    }
    if number.contains('.') && number.contains(',') {
        return Err(not_an_amount());
    }
    let groups: Vec<&str> = number.split(['.', ',']).collect();
    let grouped = groups.len() == 1
        || (groups[0].len() <= 3 && !groups[0].is_empty() && groups[1..].iter().all(|group| group.len() == 3));
    if !grouped {
        return Err(format!(
            "`{}` is not a whole amount in đồng (group thousands with dots, e.g. `1.500.000 đồng`)",
            text.trim()
        ));
    }
    match groups.concat().parse::<i64>() {
        Ok(amount) if amount <= MAX_AMOUNT => Ok(amount),
        _ => Err(format!("the amount `{}` is too large", text.trim())),
    }
}

fn format_amount(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(digit);
    }
    if amount < 0 { format!("-{grouped}") } else { grouped }
}

fn parse_fee(line: &str) -> Result<Fee, String> {
    let parts = parts(line, MAX_FEE_CHARS)?;
    let [description, amount] = parts.as_slice() else {
        return Err("expected `Mô tả | 50.000 đồng`".to_string());
    };
    if description.is_empty() {
        return Err("the fee's description is missing (expected `Mô tả | 50.000 đồng`)".to_string());
    }
    Ok(Fee {
        description: description.clone(),
        amount_vnd: parse_amount(amount)?,
    })
}

fn format_fee(fee: &Fee) -> String {
    format!("{} | {} đồng", fee.description, format_amount(fee.amount_vnd))
}

// ---------------------------------------------------------------------------------------
// Export

/// The catalogue as UTF-8 CSV with a byte-order mark, `,`-separated, CRLF line ends; list
/// cells hold one item a line.
pub fn export_csv(rows: &[CatalogueRow]) -> Result<Vec<u8>, TableError> {
    let table = rows.iter().map(row_cells).collect::<Result<Vec<_>, _>>()?;
    spreadsheet::write_csv(COLUMNS, table).map_err(|error| TableError::Write {
        format: "CSV",
        reason: error.to_string(),
    })
}

/// The catalogue as an Excel workbook: the table on the first sheet (bold frozen header,
/// wrapped cells formatted as text, drop-down lists for the fixed values), a guide to the
/// columns on the second.
pub fn export_xlsx(rows: &[CatalogueRow]) -> Result<Vec<u8>, TableError> {
    let table = rows.iter().map(row_cells).collect::<Result<Vec<_>, _>>()?;
    write_workbook(&table).map_err(|error| TableError::Write {
        format: "XLSX",
        reason: error.to_string(),
    })
}

/// Rows of the sheet that get the drop-down lists, at least.
const VALIDATED_ROWS: u32 = 1_000;

fn write_workbook(table: &[Vec<String>]) -> Result<Vec<u8>, XlsxError> {
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_background_color(Color::RGB(0xDDEBF7))
        .set_border(FormatBorder::Thin);
    // `@`: text, so that codes typed later (2.002481) stay text instead of numbers.
    let cell = Format::new()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_num_format("@");
    let last_column = (COLUMNS.len() - 1) as u16;
    let last_row = table.len() as u32;

    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Thủ tục hành chính")?;
    for column in ALL_COLUMNS {
        let index = column as u16;
        sheet.set_column_width(index, column.width())?;
        sheet.set_column_format(index, &cell)?;
        sheet.write_string_with_format(0, index, column.title(), &header)?;
    }
    for (row, values) in table.iter().enumerate() {
        for (index, value) in values.iter().enumerate() {
            sheet.write_string_with_format(row as u32 + 1, index as u16, value, &cell)?;
        }
    }
    sheet.set_freeze_panes(1, 1)?;
    sheet.autofilter(0, 0, last_row.max(1), last_column)?;
    let validated = last_row.max(VALIDATED_ROWS);
    for (column, choices) in [
        (Column::Level, labels(LEVELS)),
        (Column::SupplementMode, labels(SUPPLEMENT_MODES)),
        (Column::OnlineLevel, labels(ONLINE_LEVELS)),
    ] {
        let validation = DataValidation::new()
            .allow_list_strings(&choices)?
            .ignore_blank(true)
            .set_error_style(DataValidationErrorStyle::Warning)
            .set_error_title("Giá trị không hợp lệ")?
            .set_error_message(format!("{}: chọn một trong {}", column.title(), choices.join(", ")))?;
        sheet.add_data_validation(1, column as u16, validated, column as u16, &validation)?;
    }

    let guide = workbook.add_worksheet();
    guide.set_name("Hướng dẫn")?;
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    for (index, (title, width)) in [("Cột", 24.0), ("Khóa", 20.0), ("Bắt buộc", 10.0), ("Cách ghi", 100.0)]
        .into_iter()
        .enumerate()
    {
        guide.set_column_width(index as u16, width)?;
        guide.write_string_with_format(0, index as u16, title, &header)?;
    }
    for (row, column) in ALL_COLUMNS.iter().enumerate() {
        let row = row as u32 + 1;
        guide.write_string_with_format(row, 0, column.title(), &wrap)?;
        guide.write_string_with_format(row, 1, column.key(), &wrap)?;
        guide.write_string_with_format(row, 2, if column.required() { "Có" } else { "Không" }, &wrap)?;
        guide.write_string_with_format(row, 3, column.guide(), &wrap)?;
    }
    let note_row = ALL_COLUMNS.len() as u32 + 2;
    guide.write_string(
        note_row,
        0,
        "Mỗi thủ tục một dòng ở trang đầu. Trong một ô, xuống dòng bằng Alt+Enter. Khi lưu CSV, chọn \
         \"CSV UTF-8\".",
    )?;
    guide.set_freeze_panes(1, 0)?;

    workbook.save_to_buffer()
}

/// The cells of one row, in the order of [`COLUMNS`].
fn row_cells(row: &CatalogueRow) -> Result<Vec<String>, TableError> {
    let version = &row.version;
    let unexportable = |column: Column, reason: String| TableError::Unexportable {
        code: row.code.clone(),
        column: column.title(),
        reason,
    };
    // A list item must stay one line, and a `|`-separated item must not hold a `|`.
    let check = |column: Column, piped: bool, items: &[&str]| {
        for item in items {
            if item.contains(['\n', '\r']) {
                return Err(unexportable(column, format!("`{item}` holds a line break")));
            }
            if piped && item.contains('|') {
                return Err(unexportable(column, format!("`{item}` holds a `|`")));
            }
        }
        Ok(())
    };
    for step in &version.steps {
        check(Column::Steps, true, &[&step.display_name, &step.handler])?;
    }
    for document in &version.required_documents {
        check(Column::RequiredDocuments, true, &[&document.display_name])?;
    }
    for fee in &version.fees {
        check(Column::Fees, true, &[&fee.description])?;
    }
    for basis in &version.legal_basis {
        check(Column::LegalBasis, false, &[basis])?;
    }

    let lines = |items: Vec<String>| items.join("\n");
    let fees = if version.fees.is_empty() {
        "Không".to_string()
    } else {
        lines(version.fees.iter().map(format_fee).collect())
    };
    let supplement_mode = match version.supplement_mode() {
        SupplementMode::Pause => label(SupplementMode::Pause, SUPPLEMENT_MODES),
        SupplementMode::Restart | SupplementMode::Unspecified => label(SupplementMode::Restart, SUPPLEMENT_MODES),
    };
    Ok(vec![
        row.code.clone(),
        version.display_name.clone(),
        version.field.clone(),
        label(version.level(), LEVELS).to_string(),
        version.agency.clone(),
        format_processing_time(version.processing_time.as_ref()),
        supplement_mode.to_string(),
        lines(version.steps.iter().map(format_step).collect()),
        lines(version.required_documents.iter().map(format_document).collect()),
        fees,
        version.legal_basis.join("\n"),
        label(version.online_level(), ONLINE_LEVELS).to_string(),
        version.process_document.clone(),
    ])
}

// ---------------------------------------------------------------------------------------
// Import

/// Reads a catalogue table: one [`ParsedRow`] per non-blank data row, in order. Fails only
/// when the file as a whole cannot be read: not CSV or a workbook, no header row, unknown or
/// missing required columns, more than [`MAX_ROWS`] rows. A bad row is reported in its
/// `ParsedRow`, as is a code given on an earlier row too.
pub fn import(format: TableFormat, content: &[u8]) -> Result<Vec<ParsedRow>, TableError> {
    // Checked before any parser allocates: a file of a few KB may declare a
    // sheet of 17 billion cells or unpack to gigabytes.
    let limits = eiso_untrusted::Limits {
        max_rows: MAX_ROWS as u64 + 1,
        ..eiso_untrusted::Limits::IMPORT
    };
    let format = match format {
        TableFormat::Csv => spreadsheet::Format::Csv,
        TableFormat::Xlsx => spreadsheet::Format::Xlsx,
        TableFormat::Unspecified => return Err(TableError::FormatUnspecified),
    };
    let grid = spreadsheet::read(format, content, &limits)?;
    let mut rows = grid.rows.into_iter();
    let header = match rows.next() {
        Some((_, header)) if !header.iter().all(Cell::is_blank) => header,
        _ => return Err(TableError::NoHeader),
    };
    let slots = map_header(&header)?;
    let rows = rows
        .filter(|(_, cells)| !cells.iter().all(Cell::is_blank))
        .map(|(row, cells)| Ok((i32::try_from(row).map_err(|_| TableError::TooManyRows(row))?, cells)))
        .collect::<Result<Vec<(i32, Vec<Cell>)>, TableError>>()?;
    if rows.len() > MAX_ROWS {
        return Err(TableError::TooManyRows(rows.len()));
    }
    let mut first_row_of: HashMap<String, i32> = HashMap::new();
    let parsed = rows
        .into_iter()
        .map(|(row, cells)| {
            let mut result = parse_row(row, &slots, grid.first_column, &cells);
            if let Ok(parsed) = &result {
                if let Some(first) = first_row_of.get(&parsed.code) {
                    result = Err(vec![ImportRowError {
                        row,
                        column: Column::Code.title().to_string(),
                        description: format!("procedure {} is already on row {first}", parsed.code),
                    }]);
                } else {
                    first_row_of.insert(parsed.code.clone(), row);
                }
            }
            ParsedRow { row, result }
        })
        .collect();
    Ok(parsed)
}

/// What each cell of a row is: a column, a column to ignore, or no column (empty title).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Slot {
    Column(Column),
    Ignored,
    Untitled,
}

fn map_header(header: &[Cell]) -> Result<Vec<Slot>, TableError> {
    let mut unknown = Vec::new();
    let mut duplicated = Vec::new();
    let mut seen = [false; ALL_COLUMNS.len()];
    let mut slots = Vec::with_capacity(header.len());
    for cell in header {
        let title = match cell {
            Cell::Text(text) => squash(text),
            Cell::Number(number) => number_text(*number),
            Cell::Bad(_) => "?".to_string(),
        };
        let folded = fold(&title);
        let slot = if folded.is_empty() {
            Slot::Untitled
        } else if IGNORED_TITLES.contains(&folded.as_str()) {
            Slot::Ignored
        } else if let Some(column) = ALL_COLUMNS
            .into_iter()
            .find(|column| fold(column.title()) == folded || column.key() == folded)
        {
            if std::mem::replace(&mut seen[column as usize], true) {
                duplicated.push(title);
            }
            Slot::Column(column)
        } else {
            unknown.push(title);
            Slot::Untitled
        };
        slots.push(slot);
    }
    let missing: Vec<String> = ALL_COLUMNS
        .into_iter()
        .filter(|column| column.required() && !seen[*column as usize])
        .map(|column| column.title().to_string())
        .collect();
    if unknown.is_empty() && missing.is_empty() && duplicated.is_empty() {
        Ok(slots)
    } else {
        Err(TableError::BadHeader {
            unknown,
            missing,
            duplicated,
        })
    }
}

/// `A`, `B`, … `Z`, `AA`, … for a 0-based column index.
fn column_letter(index: u32) -> String {
    let mut index = index as u64 + 1;
    let mut letters = Vec::new();
    while index > 0 {
        let rest = (index - 1) % 26;
        letters.push(char::from(b'A' + rest as u8));
        index = (index - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// The errors of one row.
struct RowErrors {
    row: i32,
    errors: Vec<ImportRowError>,
}

impl RowErrors {
    fn add(&mut self, column: Option<Column>, description: impl Into<String>) {
        self.errors.push(ImportRowError {
            row: self.row,
            column: column.map(Column::title).unwrap_or_default().to_string(),
            description: description.into(),
        });
    }

    /// The cell's text; a cell that holds no text is reported and read as empty.
    fn text(&mut self, cells: &[Option<&Cell>], column: Column) -> String {
        match cells[column as usize] {
            None => String::new(),
            Some(Cell::Text(text)) => text.clone(),
            Some(Cell::Number(number)) => number_text(*number),
            Some(Cell::Bad(problem)) => {
                self.add(Some(column), problem.clone());
                String::new()
            }
        }
    }

    /// A single-line text column.
    fn single(&mut self, cells: &[Option<&Cell>], column: Column) -> String {
        let text = self.text(cells, column);
        let max_chars = if column == Column::Field {
            MAX_FIELD_CHARS
        } else {
            MAX_NAME_CHARS
        };
        match clean_text(&text, max_chars) {
            Ok(text) if text.is_empty() && column.required() => {
                self.add(Some(column), "is required");
                text
            }
            Ok(text) => text,
            Err(problem) => {
                self.add(Some(column), problem);
                String::new()
            }
        }
    }

    /// A required column parsed by `parse`.
    fn required<T>(
        &mut self,
        cells: &[Option<&Cell>],
        column: Column,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Option<T> {
        let text = self.text(cells, column);
        if text.trim().is_empty() {
            if !matches!(cells[column as usize], Some(Cell::Bad(_))) {
                self.add(Some(column), "is required");
            }
            return None;
        }
        self.optional(&text, column, parse)
    }

    fn optional<T>(&mut self, text: &str, column: Column, parse: impl Fn(&str) -> Result<T, String>) -> Option<T> {
        match parse(text) {
            Ok(value) => Some(value),
            Err(problem) => {
                self.add(Some(column), problem);
                None
            }
        }
    }

    /// A list column, one item a line. `None` if any line is wrong (each is reported).
    fn list<T>(
        &mut self,
        cells: &[Option<&Cell>],
        column: Column,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Option<Vec<T>> {
        let text = self.text(cells, column).replace("\r\n", "\n").replace('\r', "\n");
        let lines = cell_lines(&text);
        if lines.len() > MAX_LINES {
            self.add(Some(column), format!("has more than {MAX_LINES} lines"));
            return None;
        }
        let numbered = lines.len() > 1;
        let mut items = Vec::with_capacity(lines.len());
        let mut failed = false;
        for (number, line) in lines {
            match parse(line) {
                Ok(item) => items.push(item),
                Err(problem) => {
                    failed = true;
                    let problem = if numbered {
                        format!("line {number}: {problem}")
                    } else {
                        problem
                    };
                    self.add(Some(column), problem);
                }
            }
        }
        (!failed).then_some(items)
    }
}

fn parse_row(row: i32, slots: &[Slot], first_column: u32, cells: &[Cell]) -> Result<CatalogueRow, Vec<ImportRowError>> {
    let mut errors = RowErrors {
        row,
        errors: Vec::new(),
    };
    let mut by_column: [Option<&Cell>; ALL_COLUMNS.len()] = [None; ALL_COLUMNS.len()];
    for (index, cell) in cells.iter().enumerate() {
        match slots.get(index) {
            Some(Slot::Column(column)) => by_column[*column as usize] = Some(cell),
            Some(Slot::Ignored) => {}
            Some(Slot::Untitled) | None if cell.is_blank() => {}
            Some(Slot::Untitled) | None => errors.add(
                None,
                format!(
                    "cell {}{row} holds a value but its column has no title",
                    column_letter(first_column + index as u32)
                ),
            ),
        }
    }
    let cells = &by_column;

    let code = match cells[Column::Code as usize] {
        Some(Cell::Number(number)) => errors.optional(&number_text(*number), Column::Code, |_| numeric_code(*number)),
        _ => errors.required(cells, Column::Code, parse_code),
    };
    let display_name = errors.single(cells, Column::DisplayName);
    let field = errors.single(cells, Column::Field);
    let level = errors.required(cells, Column::Level, parse_level);
    let agency = errors.required(cells, Column::Agency, |text| parse_name(text, "units"));
    let budget = errors.required(cells, Column::ProcessingTime, parse_processing_time);
    let text = errors.text(cells, Column::SupplementMode);
    let supplement_mode = errors.optional(&text, Column::SupplementMode, parse_supplement_mode);
    let steps = errors.list(cells, Column::Steps, parse_step);
    let required_documents = errors.list(cells, Column::RequiredDocuments, parse_document);
    let text = errors.text(cells, Column::Fees);
    let fees = if text.trim().is_empty() || NO_FEE.contains(&fold(&text).as_str()) {
        Some(Vec::new())
    } else {
        errors.list(cells, Column::Fees, parse_fee)
    };
    let legal_basis = errors.list(cells, Column::LegalBasis, |line| {
        clean_text(line, MAX_LEGAL_BASIS_CHARS)
    });
    let text = errors.text(cells, Column::OnlineLevel);
    let online_level = errors.optional(&text, Column::OnlineLevel, parse_online_level);
    let text = errors.text(cells, Column::ProcessDocument);
    let process_document = if text.trim().is_empty() {
        Some(String::new())
    } else {
        errors.optional(&text, Column::ProcessDocument, |text| parse_name(text, "documents"))
    };

    if let (Some(budget), Some(steps)) = (budget, &steps)
        && !steps.is_empty()
    {
        let total: i64 = steps.iter().map(|step| i64::from(step.working_hours)).sum();
        let expected = budget_hours(budget);
        if total != expected {
            let budget_text = match budget {
                Budget::WorkingDays(days) => {
                    format!("{days} working days = {expected} working hours at {HOURS_PER_DAY} hours a day")
                }
                Budget::WorkingHours(hours) => format!("{hours} working hours"),
            };
            errors.add(
                Some(Column::Steps),
                format!("the steps add up to {total} working hours but the processing time is {budget_text}"),
            );
        }
    }

    match (
        errors.errors.is_empty(),
        code,
        level,
        agency,
        budget,
        supplement_mode,
        steps,
        required_documents,
        fees,
        legal_basis,
        online_level,
        process_document,
    ) {
        (
            true,
            Some(code),
            Some(level),
            Some(agency),
            Some(budget),
            Some(supplement_mode),
            Some(steps),
            Some(required_documents),
            Some(fees),
            Some(legal_basis),
            Some(online_level),
            Some(process_document),
        ) => Ok(CatalogueRow {
            code,
            version: ProcedureVersion {
                display_name,
                field,
                level: level as i32,
                agency,
                processing_time: Some(ProcessingTime { budget: Some(budget) }),
                supplement_mode: supplement_mode as i32,
                steps,
                required_documents,
                fees,
                legal_basis,
                online_level: online_level as i32,
                process_document,
                ..ProcedureVersion::default()
            },
        }),
        _ => Err(errors.errors),
    }
}

#[cfg(test)]
mod tests;
