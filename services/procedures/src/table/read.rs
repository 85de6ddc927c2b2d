//! Import: the header mapped to the columns, each row read into a procedure or its errors.

use std::collections::HashMap;

use eiso_platform::spreadsheet::{self, Cell, fold, number_text, squash};
use eiso_proto::eiso::procedures::v1::{
    ImportRowError, ProcedureVersion, ProcessingTime, TableFormat, processing_time::Budget,
};

use super::cells::*;
use super::columns::{ALL_COLUMNS, Column};
use super::{CatalogueRow, HOURS_PER_DAY, MAX_ROWS, ParsedRow, TableError};

/// Titles of columns that are ignored on import (a row number column).
const IGNORED_TITLES: &[&str] = &["stt", "số tt", "số thứ tự"];

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
