//! The appendix-table layout of a plan (bảng nhiệm vụ cụ thể), read from and written to CSV
//! and XLSX, and the targets table beside it.
//!
//! Tasks: `STT | Nội dung công việc | Đơn vị thực hiện | Sản phẩm | Thời gian hoàn thành | Ghi chú`.
//! A row whose STT is one number (`1`, or a roman numeral `I`) and that names no unit, product
//! or time frame is a section row: it becomes a parent task. Rows numbered `1` after a roman
//! section `I` are stored as `I.1`. Every other row needs a time frame.
//!
//! Targets: `STT | Chỉ tiêu | Cách đo | So sánh | Ngưỡng (%)`, the measure as a Vietnamese label
//! of [`MEASURES`] or its enum name, the comparison as `≥`, `>` or `≤`.
//!
//! The header row may sit below a title (the first row holding the `STT` column and the
//! content column is the header); titles are matched NFC-normalised, case-insensitively. A
//! cell that cannot be read is reported as `rows[N].<column title>`, N being the row number
//! the spreadsheet shows (the header of a plain CSV is row 1).
//!
//! Files are read by [`eiso_platform::spreadsheet`], as the procedures catalogue's are: CSV in
//! UTF-8 or UTF-16 (with a byte-order mark) separated by `,`, `;` or tabs, or the first sheet
//! of an XLSX (or ODS) workbook, checked against the import limits first; a cell holding a
//! date or an Excel error is reported, not read.

use eiso_platform::spreadsheet::{self, Cell, Grid, fold, number_text};
use eiso_platform::vi::{self, Zeros};
use eiso_proto::eiso::plans::v1::{Comparator, Measure, TableFormat};
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, XlsxError};

pub use eiso_platform::spreadsheet::squash;

/// The task columns, in order.
pub const TASK_COLUMNS: [&str; 6] = [
    "STT",
    "Nội dung công việc",
    "Đơn vị thực hiện",
    "Sản phẩm",
    "Thời gian hoàn thành",
    "Ghi chú",
];

/// The target columns, in order.
pub const TARGET_COLUMNS: [&str; 5] = ["STT", "Chỉ tiêu", "Cách đo", "So sánh", "Ngưỡng (%)"];

/// Machine keys accepted as titles, parallel to the columns.
const TASK_KEYS: [&str; 6] = [
    "number",
    "content",
    "responsible_units",
    "product",
    "time_frame",
    "notes",
];
const TARGET_KEYS: [&str; 5] = ["number", "text", "measure", "comparator", "threshold_percent"];

/// At most this many rows.
pub const MAX_ROWS: usize = 2_000;

/// Measures with their Vietnamese labels.
pub const MEASURES: [(Measure, &str); 8] = [
    (Measure::DossiersOnTime, "Hồ sơ giải quyết đúng hạn"),
    (Measure::Satisfaction, "Mức độ hài lòng"),
    (Measure::ResultsDigitised, "Kết quả được số hóa"),
    (Measure::DossiersTracked, "Hồ sơ được theo dõi"),
    (Measure::SchoolsInspected, "Trường được kiểm tra"),
    (Measure::PlanTasksOnTime, "Nhiệm vụ đúng tiến độ"),
    (Measure::ProceduresPublished, "TTHC được công khai"),
    (Measure::Manual, "Nhập tay"),
];

pub fn measure_label(measure: Measure) -> &'static str {
    MEASURES
        .iter()
        .find(|(m, _)| *m == measure)
        .map_or("", |(_, label)| label)
}

pub fn comparator_sign(comparator: Comparator) -> &'static str {
    match comparator {
        Comparator::Above => ">",
        Comparator::AtMost => "≤",
        Comparator::AtLeast | Comparator::Unspecified => "≥",
    }
}

/// One row of the task table, as written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TaskRow {
    /// The spreadsheet row number.
    pub row: usize,
    /// The number as stored: `1`, `1.1`, `I.1`.
    pub number: String,
    pub content: String,
    pub units: String,
    pub product: String,
    pub time_frame: String,
    pub notes: String,
    /// A section row (parent task).
    pub section: bool,
}

/// One row of the targets table.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TargetRow {
    pub row: usize,
    pub number: String,
    pub text: String,
    pub measure: Measure,
    pub comparator: Comparator,
    pub threshold_percent: f64,
}

/// A table that cannot be read: (field, description) pairs, the field being `content`,
/// `targets_content` or `rows[N].<column>`.
pub type Problems = Vec<(String, String)>;

// ---------------------------------------------------------------------------------------
// Reading

fn read_sheet(format: TableFormat, content: &[u8]) -> Result<Grid, String> {
    // Checked before any parser allocates: a file of a few KB may declare a
    // sheet of 17 billion cells or unpack to gigabytes.
    let limits = eiso_untrusted::Limits {
        max_rows: MAX_ROWS as u64 + 20,
        ..eiso_untrusted::Limits::IMPORT
    };
    let format = match format {
        TableFormat::Csv => spreadsheet::Format::Csv,
        TableFormat::Xlsx => spreadsheet::Format::Xlsx,
        TableFormat::Unspecified => return Err("the format is not set (CSV or XLSX)".to_string()),
    };
    let grid = spreadsheet::read(format, content, &limits).map_err(|error| error.to_string())?;
    if grid.rows.len() > MAX_ROWS + 10 {
        return Err(format!("the table has more than {MAX_ROWS} rows"));
    }
    Ok(grid)
}

/// A header cell's title: a number as written, a date or error as `?`.
fn cell_title(cell: &Cell) -> String {
    match cell {
        Cell::Text(text) => text.clone(),
        Cell::Number(number) => number_text(*number),
        Cell::Bad(_) => "?".to_string(),
    }
}

/// Data rows: (spreadsheet row number, cells).
type Rows = [(usize, Vec<Cell>)];

/// Finds the header row (holding `STT` and `content_title`) and maps its cells to columns.
fn header<'s>(
    sheet: &'s Grid,
    titles: &[&str],
    keys: &[&str],
    field: &str,
) -> Result<(Vec<Option<usize>>, &'s Rows), Problems> {
    let matches_column = |cell: &Cell| {
        let cell = fold(&cell_title(cell));
        titles
            .iter()
            .zip(keys)
            .position(|(title, key)| fold(title) == cell || *key == cell)
    };
    let Some(position) = sheet
        .rows
        .iter()
        .position(|(_, cells)| cells.iter().filter(|c| matches_column(c).is_some()).count() >= 2)
    else {
        return Err(vec![(
            field.to_string(),
            format!(
                "no header row: a row must hold the column titles {}",
                titles.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", ")
            ),
        )]);
    };
    let (_, cells) = &sheet.rows[position];
    let mut slots = Vec::new();
    let mut problems = Vec::new();
    let mut seen = vec![false; titles.len()];
    for cell in cells {
        if cell.is_blank() {
            slots.push(None);
            continue;
        }
        match matches_column(cell) {
            Some(column) if seen[column] => {
                problems.push((
                    field.to_string(),
                    format!("the column `{}` is given twice", titles[column]),
                ));
                slots.push(None);
            }
            Some(column) => {
                seen[column] = true;
                slots.push(Some(column));
            }
            None => {
                problems.push((
                    field.to_string(),
                    format!("unknown column `{}`", squash(&cell_title(cell))),
                ));
                slots.push(None);
            }
        }
    }
    for (column, title) in titles.iter().enumerate().take(2) {
        if !seen[column] {
            problems.push((field.to_string(), format!("the column `{title}` is missing")));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok((slots, &sheet.rows[position + 1..]))
}

/// The text of each column of a row, and the columns whose cell holds no text (a date, an
/// Excel error) with what is wrong with it.
fn cells_by_column(slots: &[Option<usize>], cells: &[Cell], columns: usize) -> (Vec<String>, Vec<(usize, String)>) {
    let mut out = vec![String::new(); columns];
    let mut bad = Vec::new();
    for (slot, cell) in slots.iter().zip(cells) {
        if let Some(column) = slot {
            match cell {
                Cell::Text(text) => out[*column] = text.clone(),
                Cell::Number(number) => out[*column] = number_text(*number),
                Cell::Bad(problem) => bad.push((*column, problem.clone())),
            }
        }
    }
    (out, bad)
}

fn is_roman(text: &str) -> bool {
    !text.is_empty() && text.len() <= 6 && text.bytes().all(|b| matches!(b, b'I' | b'V' | b'X' | b'L'))
}

/// Whether `number` is a task number: a roman numeral or digits first, then `.digits`.
pub fn valid_number(number: &str) -> bool {
    let mut parts = number.split('.');
    let first_ok = parts
        .next()
        .is_some_and(|p| is_roman(p) || (!p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit())));
    first_ok
        && number.len() <= 40
        && parts.all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// The parent number of `number` (`1.2` → `1`), if any.
pub fn parent_number(number: &str) -> Option<&str> {
    number.rsplit_once('.').map(|(parent, _)| parent)
}

/// A key that orders numbers as a plan does: `1` < `1.1` < `1.2` < `2` < `10`; roman
/// sections by value.
pub fn sort_key(number: &str) -> String {
    number
        .split('.')
        .map(|part| {
            let value = if is_roman(part) {
                roman_value(part)
            } else {
                part.parse::<u32>().unwrap_or(0)
            };
            format!("{value:05}")
        })
        .collect::<Vec<_>>()
        .join(".")
}

fn roman_value(text: &str) -> u32 {
    let value = |c: u8| match c {
        b'I' => 1,
        b'V' => 5,
        b'X' => 10,
        b'L' => 50,
        _ => 0,
    };
    let bytes = text.as_bytes();
    let mut total = 0i64;
    for (i, &c) in bytes.iter().enumerate() {
        let v = value(c);
        if bytes.get(i + 1).is_some_and(|&next| value(next) > v) {
            total -= i64::from(v);
        } else {
            total += i64::from(v);
        }
    }
    total.max(0) as u32
}

/// Reads the task table. Every problem is reported at once.
pub fn read_tasks(format: TableFormat, content: &[u8]) -> Result<Vec<TaskRow>, Problems> {
    let sheet = read_sheet(format, content).map_err(|e| vec![("content".to_string(), e)])?;
    let (slots, data) = header(&sheet, &TASK_COLUMNS, &TASK_KEYS, "content")?;
    let mut problems = Vec::new();
    let mut tasks: Vec<TaskRow> = Vec::new();
    let mut roman: Option<String> = None;
    for (row, cells) in data {
        let (cells, bad) = cells_by_column(&slots, cells, TASK_COLUMNS.len());
        if bad.is_empty() && cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if tasks.len() >= MAX_ROWS {
            problems.push(("content".to_string(), format!("more than {MAX_ROWS} tasks")));
            break;
        }
        let at = |column: usize| format!("rows[{row}].{}", TASK_COLUMNS[column]);
        for (column, problem) in bad {
            problems.push((at(column), problem));
        }
        let mut text = |column: usize, max: usize| {
            let value = squash(&cells[column]);
            if value.chars().count() > max {
                problems.push((at(column), format!("is longer than {max} characters")));
            } else if value.chars().any(char::is_control) {
                problems.push((at(column), "must not contain control characters".to_string()));
            }
            value
        };
        let written = text(0, 40).trim_end_matches('.').to_string();
        let content = text(1, 2000);
        let units = text(2, 1000);
        let product = text(3, 1000);
        let time_frame = text(4, 200);
        let notes = text(5, 2000);
        if written.is_empty() || !valid_number(&written) {
            problems.push((
                at(0),
                format!("`{written}` is not a task number (write 1, 1.1, 2.3 or a roman numeral I, II)"),
            ));
            continue;
        }
        let number = if is_roman(&written) {
            roman = Some(written.clone());
            written
        } else {
            match &roman {
                Some(section) if !written.starts_with(&format!("{section}.")) => format!("{section}.{written}"),
                _ => written,
            }
        };
        let section = !number.contains('.') && units.is_empty() && product.is_empty() && time_frame.is_empty();
        if content.is_empty() {
            problems.push((at(1), "is required".to_string()));
        }
        if !section && time_frame.is_empty() {
            problems.push((
                at(4),
                "is required for a task (only a section row may leave it empty)".to_string(),
            ));
        }
        if let Some(first) = tasks.iter().find(|t| t.number == number) {
            problems.push((at(0), format!("task {number} is already on row {}", first.row)));
        } else if let Some(parent) = parent_number(&number)
            && !tasks.iter().any(|t| t.number == parent)
        {
            problems.push((at(0), format!("task {number} comes before its parent {parent}")));
        }
        tasks.push(TaskRow {
            row: *row,
            number,
            content,
            units,
            product,
            time_frame,
            notes,
            section,
        });
    }
    if tasks.is_empty() && problems.is_empty() {
        problems.push(("content".to_string(), "the table holds no task".to_string()));
    }
    if problems.is_empty() { Ok(tasks) } else { Err(problems) }
}

fn parse_measure(text: &str) -> Option<Measure> {
    let folded = fold(text);
    MEASURES.iter().find_map(|(measure, label)| {
        let name = measure.as_str_name().to_lowercase();
        (fold(label) == folded || name == folded || name.strip_prefix("measure_") == Some(folded.as_str()))
            .then_some(*measure)
    })
}

fn parse_comparator(text: &str) -> Option<Comparator> {
    match fold(text).as_str() {
        "" | "≥" | ">=" | "tối thiểu" | "trở lên" | "at_least" => Some(Comparator::AtLeast),
        ">" | "trên" | "above" => Some(Comparator::Above),
        "≤" | "<=" | "không quá" | "at_most" => Some(Comparator::AtMost),
        _ => None,
    }
}

/// Reads the targets table.
pub fn read_targets(format: TableFormat, content: &[u8]) -> Result<Vec<TargetRow>, Problems> {
    let field = "targets_content";
    let sheet = read_sheet(format, content).map_err(|e| vec![(field.to_string(), e)])?;
    let (slots, data) = header(&sheet, &TARGET_COLUMNS, &TARGET_KEYS, field)?;
    let mut problems = Vec::new();
    let mut targets: Vec<TargetRow> = Vec::new();
    for (row, cells) in data {
        let (cells, bad) = cells_by_column(&slots, cells, TARGET_COLUMNS.len());
        if bad.is_empty() && cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if targets.len() >= MAX_ROWS {
            problems.push((field.to_string(), format!("more than {MAX_ROWS} targets")));
            break;
        }
        let at = |column: usize| format!("targets_rows[{row}].{}", TARGET_COLUMNS[column]);
        for (column, problem) in bad {
            problems.push((at(column), problem));
        }
        let number = squash(&cells[0]).trim_end_matches('.').to_string();
        let text = squash(&cells[1]);
        if number.is_empty() || !valid_number(&number) {
            problems.push((at(0), format!("`{number}` is not a target number (write 1, 4.1)")));
        } else if targets.iter().any(|t| t.number == number) {
            problems.push((at(0), format!("target {number} is given twice")));
        }
        if text.is_empty() {
            problems.push((at(1), "is required".to_string()));
        } else if text.chars().count() > 2000 {
            problems.push((at(1), "is longer than 2000 characters".to_string()));
        }
        let measure = parse_measure(&cells[2]).unwrap_or_else(|| {
            problems.push((
                at(2),
                format!(
                    "`{}` is not a measure; write one of {}",
                    squash(&cells[2]),
                    MEASURES
                        .iter()
                        .map(|(_, l)| format!("`{l}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
            Measure::Unspecified
        });
        let comparator = parse_comparator(&cells[3]).unwrap_or_else(|| {
            problems.push((
                at(3),
                format!("`{}` is not a comparison; write ≥, > or ≤", squash(&cells[3])),
            ));
            Comparator::Unspecified
        });
        let threshold_text = squash(&cells[4]).trim_end_matches('%').trim().replace(',', ".");
        let threshold_percent = match threshold_text.parse::<f64>() {
            Ok(value) if (0.0..=100.0).contains(&value) => value,
            _ => {
                problems.push((
                    at(4),
                    format!("`{}` is not a percent between 0 and 100", squash(&cells[4])),
                ));
                0.0
            }
        };
        targets.push(TargetRow {
            row: *row,
            number,
            text,
            measure,
            comparator,
            threshold_percent,
        });
    }
    if problems.is_empty() {
        Ok(targets)
    } else {
        Err(problems)
    }
}

// ---------------------------------------------------------------------------------------
// Writing

fn task_cells(task: &TaskRow) -> Vec<String> {
    vec![
        task.number.clone(),
        task.content.clone(),
        task.units.clone(),
        task.product.clone(),
        task.time_frame.clone(),
        task.notes.clone(),
    ]
}

fn target_cells(target: &TargetRow) -> Vec<String> {
    vec![
        target.number.clone(),
        target.text.clone(),
        measure_label(target.measure).to_string(),
        comparator_sign(target.comparator).to_string(),
        format_percent(target.threshold_percent),
    ]
}

/// `95`, `97.5`: at most two decimals, without trailing zeros, and — unlike
/// the other pages ([`vi::decimal`]) — a point for the decimal mark, as the
/// plans' tables and printed report have always written it.
pub fn format_percent(value: f64) -> String {
    vi::decimal(value, 2, Zeros::Dropped).replace(',', ".")
}

/// The task table as CSV for Excel ([`spreadsheet::write_csv`]).
pub fn tasks_csv(tasks: &[TaskRow]) -> Result<Vec<u8>, String> {
    spreadsheet::write_csv(&TASK_COLUMNS, tasks.iter().map(task_cells)).map_err(|e| e.to_string())
}

/// The targets table as CSV for Excel ([`spreadsheet::write_csv`]).
pub fn targets_csv(targets: &[TargetRow]) -> Result<Vec<u8>, String> {
    spreadsheet::write_csv(&TARGET_COLUMNS, targets.iter().map(target_cells)).map_err(|e| e.to_string())
}

/// The header cells of the plans' workbooks: bold, centred, shaded, framed.
pub fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color(Color::RGB(0xDDEBF7))
        .set_border(FormatBorder::Thin)
}

/// The body cells of the plans' workbooks: wrapped, top-aligned, framed.
pub fn cell_format() -> Format {
    Format::new()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_border(FormatBorder::Thin)
}

/// A workbook of one sheet: an optional title row, then the header (bold, frozen) and rows.
/// Section rows (`bold_rows`) are bold.
pub fn write_xlsx(
    sheet_name: &str,
    title: &str,
    header: &[&str],
    widths: &[f64],
    rows: &[Vec<String>],
    bold_rows: &[bool],
) -> Result<Vec<u8>, XlsxError> {
    let head = header_format();
    // Text cells: Excel must not turn a task number such as 1.10 into 1.1.
    let cell = cell_format().set_num_format("@");
    let bold = cell.clone().set_bold();
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name)?;
    let mut first = 0u32;
    if !title.is_empty() {
        sheet.write_string_with_format(0, 0, title, &Format::new().set_bold().set_font_size(13))?;
        first = 2;
    }
    for (index, title) in header.iter().enumerate() {
        let column = index as u16;
        sheet.set_column_width(column, widths.get(index).copied().unwrap_or(20.0))?;
        sheet.write_string_with_format(first, column, *title, &head)?;
    }
    for (index, values) in rows.iter().enumerate() {
        let format = if bold_rows.get(index).copied().unwrap_or(false) {
            &bold
        } else {
            &cell
        };
        for (column, value) in values.iter().enumerate() {
            sheet.write_string_with_format(first + 1 + index as u32, column as u16, value, format)?;
        }
    }
    sheet.set_freeze_panes(first + 1, 0)?;
    workbook.save_to_buffer()
}

const TASK_WIDTHS: [f64; 6] = [7.0, 55.0, 26.0, 32.0, 18.0, 14.0];
const TARGET_WIDTHS: [f64; 5] = [7.0, 80.0, 26.0, 9.0, 11.0];

pub fn tasks_xlsx(tasks: &[TaskRow]) -> Result<Vec<u8>, String> {
    let rows: Vec<Vec<String>> = tasks.iter().map(task_cells).collect();
    let bold: Vec<bool> = tasks.iter().map(|t| t.section).collect();
    write_xlsx("Nhiệm vụ", "", &TASK_COLUMNS, &TASK_WIDTHS, &rows, &bold).map_err(|e| e.to_string())
}

pub fn targets_xlsx(targets: &[TargetRow]) -> Result<Vec<u8>, String> {
    let rows: Vec<Vec<String>> = targets.iter().map(target_cells).collect();
    write_xlsx("Chỉ tiêu", "", &TARGET_COLUMNS, &TARGET_WIDTHS, &rows, &[]).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "STT,Nội dung công việc,Đơn vị thực hiện,Sản phẩm,Thời gian hoàn thành,Ghi chú\n\
        1,Cải cách thể chế,,,,\n\
        1.1,Rà soát văn bản,Phòng GD&ĐT,Các văn bản,Thực hiện cả năm 2024,\n\
        1.2,\"Xây dựng\nkế hoạch\",Phòng GD&ĐT,Kế hoạch,Quý I năm 2024,Ghi chú\n";

    #[test]
    fn reads_sections_and_tasks() {
        let rows = read_tasks(TableFormat::Csv, SAMPLE.as_bytes()).expect("readable");
        assert_eq!(rows.len(), 3);
        assert!(rows[0].section);
        assert_eq!(rows[1].number, "1.1");
        assert!(!rows[1].section);
        assert_eq!(rows[2].content, "Xây dựng kế hoạch");
        assert_eq!(rows[2].row, 4);
    }

    #[test]
    fn csv_and_xlsx_round_trip() {
        let rows = read_tasks(TableFormat::Csv, SAMPLE.as_bytes()).expect("readable");
        let csv = tasks_csv(&rows).expect("csv");
        let again = read_tasks(TableFormat::Csv, &csv).expect("csv again");
        let strip = |rows: &[TaskRow]| rows.iter().map(|r| TaskRow { row: 0, ..r.clone() }).collect::<Vec<_>>();
        assert_eq!(strip(&again), strip(&rows));
        let xlsx = tasks_xlsx(&rows).expect("xlsx");
        let again = read_tasks(TableFormat::Xlsx, &xlsx).expect("xlsx again");
        assert_eq!(strip(&again), strip(&rows));
    }

    #[test]
    fn roman_sections_prefix_their_children() {
        let text = "STT,Nội dung công việc,Đơn vị thực hiện,Sản phẩm,Thời gian hoàn thành,Ghi chú\n\
            I,Phần một,,,,\n1,Việc một,Phòng,SP,Quý I năm 2024,\nII,Phần hai,,,,\n1,Việc hai,Phòng,SP,Quý II năm 2024,\n";
        let rows = read_tasks(TableFormat::Csv, text.as_bytes()).expect("readable");
        let numbers: Vec<&str> = rows.iter().map(|r| r.number.as_str()).collect();
        assert_eq!(numbers, ["I", "I.1", "II", "II.1"]);
        let again = read_tasks(TableFormat::Csv, &tasks_csv(&rows).expect("csv")).expect("again");
        assert_eq!(again.iter().map(|r| r.number.as_str()).collect::<Vec<_>>(), numbers);
        assert!(sort_key("II") > sort_key("I.1"));
        assert!(sort_key("10") > sort_key("2.3"));
    }

    #[test]
    fn bad_cells_are_named() {
        let text = "STT,Nội dung công việc,Đơn vị thực hiện,Sản phẩm,Thời gian hoàn thành,Ghi chú\n\
            1.1,Việc,Phòng,SP,Quý I năm 2024,\n\
            x,Việc,Phòng,SP,Quý I năm 2024,\n\
            2,Việc,Phòng,SP,,\n";
        let problems = read_tasks(TableFormat::Csv, text.as_bytes()).expect_err("bad");
        let fields: Vec<&str> = problems.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["rows[2].STT", "rows[3].STT", "rows[4].Thời gian hoàn thành"]);
        assert!(read_tasks(TableFormat::Csv, b"a,b\n1,2\n").is_err());
        assert!(read_tasks(TableFormat::Xlsx, b"not a workbook").is_err());
        assert!(read_tasks(TableFormat::Csv, b"PK\x03\x04rest").is_err());
    }

    #[test]
    fn reads_targets() {
        let text = "STT,Chỉ tiêu,Cách đo,So sánh,Ngưỡng (%)\n\
            1,Hoàn thành 100% nhiệm vụ,Nhiệm vụ đúng tiến độ,≥,100\n\
            4.1,Đúng hạn,DOSSIERS_ON_TIME,>,95\n";
        let rows = read_targets(TableFormat::Csv, text.as_bytes()).expect("readable");
        assert_eq!(rows[0].measure, Measure::PlanTasksOnTime);
        assert_eq!(rows[1].comparator, Comparator::Above);
        assert_eq!(rows[1].threshold_percent, 95.0);
        let bad = "STT,Chỉ tiêu,Cách đo,So sánh,Ngưỡng (%)\n1,X,không rõ,≥,120\n";
        let problems = read_targets(TableFormat::Csv, bad.as_bytes()).expect_err("bad");
        let fields: Vec<&str> = problems.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["targets_rows[2].Cách đo", "targets_rows[2].Ngưỡng (%)"]);
    }
}
