//! Rendering a management review pack: a workbook (one sheet per part, with
//! Vietnamese titles) and a printable A4 page from a minijinja template
//! (`templates/review.html`), dates in Asia/Ho_Chi_Minh and numbers written
//! the Vietnamese way (`96,2%`). Templates escape HTML, so text typed by users
//! is shown as text.

use chrono::{DateTime, Utc};
use eiso_platform::ServiceError;
use eiso_platform::aip::time::TIME_ZONE;
use eiso_platform::directory::Letterhead;
use eiso_platform::paper::NO_DATA;
use eiso_platform::templates;
use eiso_platform::vi::{self, Zeros};
use eiso_proto::eiso::quality::v1 as pb;
use eiso_proto::labels::Label;
use minijinja::Environment;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};
use serde::Serialize;

use crate::common::{date_from_proto, date_vi};

/// What a review is rendered from.
#[derive(Debug, Clone)]
pub struct Document {
    pub review: pb::ManagementReview,
    /// The unit's name as printed, e.g. `Phòng Giáo dục và Đào tạo`.
    pub unit_name: String,
    /// Who generated it.
    pub author_name: String,
    pub issue_time: DateTime<Utc>,
    /// Where the unit's documents are dated (địa danh); empty for none.
    pub place_name: String,
    /// How the unit's documents are numbered and signed.
    pub letterhead: Letterhead,
    /// The body above the unit (may be empty).
    pub superior_name: String,
}

/// `0.962` → `96,2%`, or `–` when the rate is over nothing.
fn percent_of(fraction: f64, denominator: i64) -> String {
    if denominator == 0 {
        NO_DATA.to_string()
    } else {
        // Half away from zero, as people round (format! rounds half to even).
        format!("{}%", vi::decimal((fraction * 1000.0).round() / 10.0, 1, Zeros::Kept))
    }
}

#[derive(Serialize)]
struct Line {
    label: String,
    value: String,
}

fn line(label: &str, value: impl ToString) -> Line {
    Line {
        label: label.to_string(),
        value: value.to_string(),
    }
}

#[derive(Serialize)]
struct AuditRow {
    title: String,
    state: String,
    start: String,
    findings: i32,
}

#[derive(Serialize)]
struct ActionRow {
    nonconformity: String,
    root_cause: String,
    state: String,
    due: String,
}

#[derive(Serialize)]
struct TargetRow {
    title: String,
    threshold: String,
    actual: String,
    status: String,
}

/// The date line: `Hải An, ngày 05 tháng 3 năm 2025` (Nghị định 30/2020/NĐ-CP).
#[derive(Serialize)]
struct Issue {
    place: String,
    date: String,
}

/// The view model both renderings use.
#[derive(Serialize)]
struct View {
    title: String,
    /// Under `BÁO CÁO`: the title without it.
    subject: String,
    unit_name: String,
    superior_name: String,
    /// `05/BC-PGDĐT`; empty for a pack kept before packs were numbered.
    document_number: String,
    signer_title: String,
    signer_name: String,
    period: String,
    issue: Issue,
    author: String,
    findings: Vec<Line>,
    audits: Vec<AuditRow>,
    actions_summary: Vec<Line>,
    actions: Vec<ActionRow>,
    service: Vec<Line>,
    satisfaction: Vec<Line>,
    inspections: Vec<Line>,
    targets: Vec<TargetRow>,
}

fn view(document: &Document) -> View {
    let review = &document.review;
    let pack = review.pack.clone().unwrap_or_default();
    let quality = pack.quality.unwrap_or_default();
    let service = pack.service.unwrap_or_default();
    let inspections = pack.inspections.unwrap_or_default();
    let date = |d: Option<&eiso_proto::eiso::procedures::v1::LocalDate>| {
        date_from_proto(d, "date").map(date_vi).unwrap_or_default()
    };
    let local = document.issue_time.with_timezone(&TIME_ZONE);
    View {
        title: review.title.clone(),
        subject: eiso_platform::paper::subject(&review.title, "Báo cáo"),
        unit_name: document.unit_name.clone(),
        superior_name: document.superior_name.clone(),
        document_number: review.document_number.clone(),
        signer_title: document.letterhead.signer_title().to_string(),
        signer_name: document.letterhead.signer_name.clone(),
        period: format!(
            "Từ ngày {} đến ngày {}",
            date(review.start_date.as_ref()),
            date(review.end_date.as_ref())
        ),
        issue: Issue {
            place: document.place_name.clone(),
            date: eiso_platform::aip::time::document_date(local.date_naive()),
        },
        author: document.author_name.clone(),
        findings: vec![
            line("Số cuộc đánh giá nội bộ trong kỳ", quality.audits),
            line("Trong đó đã hoàn thành", quality.audits_completed),
            line("Điểm không phù hợp nặng", quality.major_nonconformities),
            line("Điểm không phù hợp nhẹ", quality.minor_nonconformities),
            line("Điểm lưu ý (quan sát)", quality.observations),
            line("Cơ hội cải tiến", quality.opportunities_for_improvement),
        ],
        audits: pack
            .audits
            .iter()
            .map(|a| AuditRow {
                title: a.title.clone(),
                state: pb::audit::State::label_vi_of(a.state).unwrap_or_default().to_string(),
                start: date(a.start_date.as_ref()),
                findings: a.finding_count,
            })
            .collect(),
        actions_summary: vec![
            line("Hành động khắc phục chưa đóng", quality.corrective_actions_open),
            line("Trong đó quá hạn", quality.corrective_actions_overdue),
            line("Đã đóng trong kỳ", quality.corrective_actions_closed),
            line("Lần kiểm tra xác nhận có hiệu lực", quality.verifications_effective),
            line(
                "Lần kiểm tra xác nhận chưa hiệu lực",
                quality.verifications_not_effective,
            ),
        ],
        actions: pack
            .open_corrective_actions
            .iter()
            .map(|a| {
                let due = a
                    .actions
                    .iter()
                    .filter_map(|p| date_from_proto(p.due_date.as_ref(), "due_date").ok())
                    .min()
                    .or_else(|| date_from_proto(a.due_date.as_ref(), "due_date").ok());
                ActionRow {
                    nonconformity: a.nonconformity.clone(),
                    root_cause: a.root_cause.clone(),
                    state: pb::corrective_action::State::label_vi_of(a.state)
                        .unwrap_or_default()
                        .to_string(),
                    due: due.map(date_vi).unwrap_or_default(),
                }
            })
            .collect(),
        service: vec![
            line("Kỳ trước chuyển sang", service.carried_over),
            line("Hồ sơ tiếp nhận", service.received),
            line("Giải quyết trước hạn", service.early),
            line("Giải quyết đúng hạn", service.on_time),
            line("Giải quyết quá hạn", service.late),
            line("Rút hồ sơ hoặc dừng xử lý", service.withdrawn_or_stopped),
            line("Đang giải quyết trong hạn", service.in_progress),
            line("Đang giải quyết, đã quá hạn", service.overdue),
            line(
                "Tỷ lệ giải quyết trước và đúng hạn",
                percent_of(
                    service.on_time_rate,
                    service.early + service.on_time + service.late + service.overdue,
                ),
            ),
            line(
                "Tỷ lệ kết quả được số hóa",
                percent_of(service.digitised_rate, service.early + service.on_time + service.late),
            ),
        ],
        satisfaction: vec![
            line("Số hồ sơ được đánh giá", service.rated),
            line("Tỷ lệ hài lòng", percent_of(service.satisfaction_rate, service.rated)),
        ],
        inspections: vec![
            line("Số đơn vị thuộc phạm vi kiểm tra", inspections.population.len()),
            line("Số đơn vị đã được kiểm tra trong kỳ", inspections.inspected.len()),
            line(
                "Tỷ lệ đơn vị được kiểm tra",
                percent_of(inspections.share, inspections.population.len() as i64),
            ),
        ],
        targets: pack
            .targets
            .iter()
            .map(|t| TargetRow {
                title: t.title.clone(),
                threshold: t.threshold.clone(),
                actual: t.actual.clone(),
                status: t.status.clone(),
            })
            .collect(),
    }
}

fn xlsx_error(error: rust_xlsxwriter::XlsxError) -> ServiceError {
    ServiceError::internal(format!("cannot write the review workbook: {error}"))
}

/// The pack as a workbook: a summary sheet and one sheet per list.
pub fn workbook(document: &Document) -> Result<Vec<u8>, ServiceError> {
    let view = view(document);
    let bold = Format::new().set_bold();
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_border(FormatBorder::Thin);
    let cell = Format::new()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_border(FormatBorder::Thin);
    let mut workbook = Workbook::new();

    let summary = workbook.add_worksheet().set_name("Tổng hợp").map_err(xlsx_error)?;
    summary.set_column_width(0, 50).map_err(xlsx_error)?;
    summary.set_column_width(1, 20).map_err(xlsx_error)?;
    summary
        .write_string_with_format(0, 0, &view.title, &bold)
        .map_err(xlsx_error)?;
    summary.write_string(1, 0, &view.unit_name).map_err(xlsx_error)?;
    summary.write_string(2, 0, &view.period).map_err(xlsx_error)?;
    let mut row = 4u32;
    for (heading, lines) in [
        ("Đánh giá nội bộ", &view.findings),
        ("Hành động khắc phục", &view.actions_summary),
        ("Kết quả giải quyết thủ tục hành chính", &view.service),
        ("Sự hài lòng của người dân", &view.satisfaction),
        ("Kiểm tra các đơn vị trực thuộc", &view.inspections),
    ] {
        summary
            .write_string_with_format(row, 0, heading, &header)
            .map_err(xlsx_error)?;
        summary
            .write_string_with_format(row, 1, "Số liệu", &header)
            .map_err(xlsx_error)?;
        row += 1;
        for line in lines {
            summary
                .write_string_with_format(row, 0, &line.label, &cell)
                .map_err(xlsx_error)?;
            summary
                .write_string_with_format(row, 1, &line.value, &cell)
                .map_err(xlsx_error)?;
            row += 1;
        }
        row += 1;
    }

    // A sheet of numbered rows: an "STT" column first, then `titles`.
    let table = |workbook: &mut Workbook,
                 name: &str,
                 titles: &[(&str, f64)],
                 rows: Vec<Vec<String>>|
     -> Result<(), ServiceError> {
        let sheet = workbook.add_worksheet().set_name(name).map_err(xlsx_error)?;
        for (col, (title, width)) in [("STT", 6.0)].iter().chain(titles).enumerate() {
            sheet.set_column_width(col as u16, *width).map_err(xlsx_error)?;
            sheet
                .write_string_with_format(0, col as u16, *title, &header)
                .map_err(xlsx_error)?;
        }
        for (r, values) in rows.iter().enumerate() {
            let number = (r + 1).to_string();
            for (col, value) in [&number].into_iter().chain(values).enumerate() {
                sheet
                    .write_string_with_format(r as u32 + 1, col as u16, value, &cell)
                    .map_err(xlsx_error)?;
            }
        }
        sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;
        Ok(())
    };
    table(
        &mut workbook,
        "Đánh giá nội bộ",
        &[
            ("Cuộc đánh giá", 50.0),
            ("Ngày bắt đầu", 14.0),
            ("Trạng thái", 20.0),
            ("Số phát hiện", 12.0),
        ],
        view.audits
            .iter()
            .map(|a| {
                vec![
                    a.title.clone(),
                    a.start.clone(),
                    a.state.clone(),
                    a.findings.to_string(),
                ]
            })
            .collect(),
    )?;
    table(
        &mut workbook,
        "Hành động khắc phục",
        &[
            ("Điểm không phù hợp", 50.0),
            ("Nguyên nhân", 40.0),
            ("Trạng thái", 28.0),
            ("Hạn hoàn thành", 14.0),
        ],
        view.actions
            .iter()
            .map(|a| {
                vec![
                    a.nonconformity.clone(),
                    a.root_cause.clone(),
                    a.state.clone(),
                    a.due.clone(),
                ]
            })
            .collect(),
    )?;
    table(
        &mut workbook,
        "Chỉ tiêu",
        &[
            ("Chỉ tiêu", 50.0),
            ("Mục tiêu", 14.0),
            ("Kết quả", 14.0),
            ("Đánh giá", 18.0),
        ],
        view.targets
            .iter()
            .map(|t| vec![t.title.clone(), t.threshold.clone(), t.actual.clone(), t.status.clone()])
            .collect(),
    )?;
    workbook.save_to_buffer().map_err(xlsx_error)
}

/// The printable page's template.
pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    /// The built-in template (`templates/review.html`).
    pub fn builtin() -> Self {
        let mut env = templates::environment();
        // Checked by the tests: the built-in template compiles.
        templates::add_builtin(&mut env, "review.html", include_str!("templates/review.html"));
        Self { env }
    }

    /// The review as a printable HTML page.
    pub fn page(&self, document: &Document) -> Result<String, ServiceError> {
        let template = self.env.get_template("review.html").map_err(ServiceError::internal)?;
        template
            .render(view(document))
            .map_err(|e| ServiceError::internal(format!("cannot render the review page: {}", e.kind())))
    }
}

#[cfg(test)]
mod tests;
