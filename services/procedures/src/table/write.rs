//! Export: the catalogue as CSV, or as a workbook with a guide to its columns.

use eiso_platform::spreadsheet;
use eiso_proto::labels::Label;
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, Format, FormatAlign, FormatBorder, Workbook, XlsxError,
};

use super::cells::*;
use super::columns::{ALL_COLUMNS, Column};
use super::{COLUMNS, CatalogueRow, TableError};

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
pub(super) fn row_cells(row: &CatalogueRow) -> Result<Vec<String>, TableError> {
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
    // Unset reads as the default, restarting the count.
    let supplement_mode = version.supplement_mode().label_vi();
    Ok(vec![
        row.code.clone(),
        version.display_name.clone(),
        version.field.clone(),
        version.level().label_vi().to_string(),
        version.agency.clone(),
        format_processing_time(version.processing_time.as_ref()),
        supplement_mode.to_string(),
        lines(version.steps.iter().map(format_step).collect()),
        lines(version.required_documents.iter().map(format_document).collect()),
        fees,
        version.legal_basis.join("\n"),
        version.online_level().label_vi().to_string(),
        version.process_document.clone(),
    ])
}
