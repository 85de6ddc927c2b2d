//! The printable report (HTML with print CSS, A4 portrait, Vietnamese) from a minijinja
//! template, and the same content as an Excel workbook.
//!
//! The template gets a view model ([`ReportView`]) in which every date is already written
//! the Vietnamese way (dd/mm/yyyy, Asia/Ho_Chi_Minh), every enum is a Vietnamese label and
//! every text is NFC; it is rendered with HTML auto-escaping. The built-in template is
//! `templates/report.html`; an office may give its own with [`Templates::with_source`].

use eiso_platform::aip::time::TIME_ZONE;
use eiso_platform::directory::Letterhead;
use eiso_platform::templates;
use eiso_proto::eiso::plans::v1 as pb;
use eiso_proto::labels::{Label, ProtoEnum};
use minijinja::Environment;
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

use crate::table::{cell_format, comparator_sign, format_percent, header_format};

const BUILTIN: &str = include_str!("templates/report.html");

/// The report template.
pub struct Templates {
    env: Environment<'static>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Templates")
    }
}

impl Templates {
    /// The built-in template (`templates/report.html`).
    pub fn builtin() -> Self {
        let mut env = templates::environment();
        // Checked by the tests: the built-in template compiles.
        templates::add_builtin(&mut env, "report.html", BUILTIN);
        Self { env }
    }

    /// A template of the office's own (the same variables as the built-in one).
    pub fn with_source(source: String) -> Result<Self, String> {
        let mut env = templates::environment();
        env.add_template_owned("report.html", source)
            .map_err(|e| e.to_string())?;
        Ok(Self { env })
    }

    pub fn render(&self, view: &ReportView) -> Result<String, String> {
        let template = self.env.get_template("report.html").map_err(|e| e.to_string())?;
        template.render(view).map_err(|e| {
            format!(
                "rendering the report failed at line {}: {:?}",
                e.line().unwrap_or(0),
                e.kind()
            )
        })
    }
}

/// Who issues a report, as printed.
#[derive(Debug, Clone, Default)]
pub struct Issuer {
    /// The issuing unit's name.
    pub unit_name: String,
    /// The body above it (may be empty).
    pub superior_name: String,
    /// Where its documents are dated (may be empty).
    pub place_name: String,
    /// How its documents are numbered and signed.
    pub letterhead: Letterhead,
}

/// What the template gets.
#[derive(Debug, Clone, Serialize)]
pub struct ReportView {
    /// The issuing unit's name, as printed in the header.
    pub unit_name: String,
    /// The superior body, printed above the unit (may be empty).
    pub superior_name: String,
    /// `Số: 05/BC-PGDĐT` without `Số: `; empty for a report kept before
    /// reports were numbered.
    pub document_number: String,
    /// The report's title.
    pub title: String,
    /// What the report is about, under `BÁO CÁO` (its title without the
    /// document type the heading already says): `Kết quả thực hiện …`.
    pub subject: String,
    /// The title above the signature, `TRƯỞNG PHÒNG`.
    pub signer_title: String,
    /// The name under it; may be empty.
    pub signer_name: String,
    /// `Nơi nhận`, in order, before `Lưu: VT`.
    pub recipients: Vec<String>,
    /// The plan's title.
    pub plan_title: String,
    /// `từ ngày 01/01/2024 đến ngày 25/3/2024`.
    pub period_text: String,
    /// The place and date line, e.g. `ngày 25 tháng 3 năm 2024`.
    /// The date line after the place name: `ngày 25 tháng 3 năm 2024`
    /// (Nghị định 30/2020/NĐ-CP).
    pub issue_date: String,
    /// Where the issuing unit's documents are dated (địa danh); empty for none.
    pub place_name: String,
    pub tasks: Vec<TaskView>,
    pub done_count: usize,
    pub leaf_count: usize,
    pub late_count: usize,
    pub targets: Vec<TargetView>,
    pub dossiers: DossierView,
    /// 1 as first issued.
    pub revision: i32,
    /// The latest re-issue, when this is one.
    pub reissue: Option<ReissueView>,
}

/// What a re-issued report says of its re-issue.
#[derive(Debug, Clone, Serialize)]
pub struct ReissueView {
    /// `dd/mm/yyyy`.
    pub date: String,
    pub reason: String,
    pub changes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TaskView {
    pub number: String,
    pub content: String,
    pub time_frame: String,
    pub status: String,
    pub percent: i32,
    pub note: String,
    pub evidence: i32,
    pub late: bool,
    pub section: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct TargetView {
    pub number: String,
    pub text: String,
    pub threshold: String,
    pub actual: String,
    pub figures: String,
    pub status: String,
    pub status_class: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DossierView {
    pub available: bool,
    pub carried_over: i64,
    pub received: i64,
    pub to_handle: i64,
    pub withdrawn_or_stopped: i64,
    pub early: i64,
    pub on_time: i64,
    pub late: i64,
    pub in_progress: i64,
    pub overdue: i64,
    pub rated: i64,
    pub on_time_percent: String,
    pub satisfaction_percent: String,
    pub digitised_percent: String,
}

fn nfc(text: &str) -> String {
    text.nfc().collect()
}

/// A task status's Vietnamese label; unknown numbers read as not started.
pub fn status_label(status: i32) -> &'static str {
    pb::TaskStatus::of(status).unwrap_or_default().label_vi()
}

/// A target status's Vietnamese label and the page's CSS class for it.
pub fn target_status_label(status: i32) -> (&'static str, &'static str) {
    let status = pb::TargetStatus::of(status).unwrap_or_default();
    let class = match status {
        pb::TargetStatus::Met => "met",
        pb::TargetStatus::AtRisk => "risk",
        pb::TargetStatus::Missed => "missed",
        pb::TargetStatus::NoData | pb::TargetStatus::Unspecified => "nodata",
    };
    (status.label_vi(), class)
}

/// A percentage for print: `–` when there was nothing to count.
fn percent_of(percent: f64, denominator: i64) -> String {
    if denominator == 0 {
        eiso_platform::paper::NO_DATA.to_string()
    } else {
        format!("{}%", format_percent(percent))
    }
}

/// The view of `report`.
pub fn view(report: &pb::Report, plan: &pb::Plan, issuer: &Issuer) -> ReportView {
    let date = |d: &Option<pb::LocalDate>| {
        d.as_ref()
            .map(|d| format!("{:02}/{:02}/{}", d.day, d.month, d.year))
            .unwrap_or_default()
    };
    let cut_off = report.cut_off_date.unwrap_or_default();
    let tasks: Vec<TaskView> = report
        .tasks
        .iter()
        .map(|t| TaskView {
            number: t.number.clone(),
            content: nfc(&t.content),
            time_frame: nfc(&t.time_frame),
            status: if t.section {
                String::new()
            } else {
                status_label(t.status).to_string()
            },
            percent: t.percent,
            note: nfc(&t.latest_note),
            evidence: t.evidence_count,
            late: t.late,
            section: t.section,
        })
        .collect();
    let leaves: Vec<&TaskView> = tasks.iter().filter(|t| !t.section).collect();
    let targets = report
        .targets
        .iter()
        .map(|e| {
            let target = e.target.clone().unwrap_or_default();
            let comparator = pb::Comparator::try_from(target.comparator).unwrap_or(pb::Comparator::AtLeast);
            let (status, class) = target_status_label(e.status);
            TargetView {
                number: target.number.clone(),
                text: nfc(&target.text),
                threshold: format!(
                    "{} {}%",
                    comparator_sign(comparator),
                    format_percent(target.threshold_percent)
                ),
                actual: if e.denominator == 0 {
                    "–".to_string()
                } else {
                    format!("{}%", format_percent(e.percent))
                },
                figures: nfc(&e.explanation),
                status: status.to_string(),
                status_class: class.to_string(),
            }
        })
        .collect();
    let d = report.dossiers.unwrap_or_default();
    // A re-issue is dated the day it is signed again; the first issue, its cut-off.
    let reissue = report.revisions.last().map(|r| {
        let day = r
            .issue_time
            .as_ref()
            .and_then(|t| chrono::DateTime::from_timestamp(t.seconds, 0))
            .map(|t| t.with_timezone(&TIME_ZONE).date_naive());
        (day, r)
    });
    let issued = reissue
        .as_ref()
        .and_then(|(day, _)| *day)
        .or_else(|| chrono::NaiveDate::from_ymd_opt(cut_off.year, cut_off.month as u32, cut_off.day as u32));
    let issue_date = issued.map(eiso_platform::aip::time::document_date).unwrap_or_default();
    ReportView {
        revision: report.revision.max(1),
        reissue: reissue.map(|(day, r)| ReissueView {
            date: day.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default(),
            reason: nfc(&r.reason),
            changes: r.changes.iter().map(|c| nfc(c)).collect(),
        }),
        unit_name: nfc(&issuer.unit_name),
        superior_name: nfc(&issuer.superior_name),
        document_number: nfc(&report.document_number),
        title: nfc(&report.title),
        subject: eiso_platform::paper::subject(&report.title, "Báo cáo"),
        signer_title: nfc(issuer.letterhead.signer_title()),
        signer_name: nfc(&issuer.letterhead.signer_name),
        recipients: if plan.report_recipients.is_empty() {
            [&issuer.superior_name]
                .into_iter()
                .filter(|s| !s.is_empty())
                .map(|s| nfc(s))
                .collect()
        } else {
            plan.report_recipients.iter().map(|s| nfc(s)).collect()
        },
        plan_title: nfc(&plan.title),
        period_text: format!(
            "từ ngày {} đến ngày {}",
            date(&report.period_start),
            date(&report.cut_off_date)
        ),
        issue_date,
        place_name: nfc(&issuer.place_name),
        done_count: leaves
            .iter()
            .filter(|t| t.status == status_label(pb::TaskStatus::Done as i32))
            .count(),
        leaf_count: leaves.len(),
        late_count: leaves.iter().filter(|t| t.late).count(),
        tasks,
        targets,
        dossiers: DossierView {
            available: d.available,
            carried_over: d.carried_over,
            received: d.received,
            to_handle: d.to_handle,
            withdrawn_or_stopped: d.withdrawn_or_stopped,
            early: d.early,
            on_time: d.on_time,
            late: d.late,
            in_progress: d.in_progress,
            overdue: d.overdue,
            rated: d.rated,
            on_time_percent: percent_of(d.on_time_percent, d.early + d.on_time + d.late + d.overdue),
            satisfaction_percent: percent_of(d.satisfaction_percent, d.rated),
            digitised_percent: percent_of(d.digitised_percent, d.early + d.on_time + d.late),
        },
    }
}

/// The report as a workbook: tasks, targets and dossier figures on three sheets.
pub fn workbook(view: &ReportView) -> Result<Vec<u8>, XlsxError> {
    let head = header_format();
    let cell = cell_format();
    let bold = cell.clone().set_bold();
    let title = Format::new().set_bold().set_font_size(13);
    let mut workbook = Workbook::new();

    let sheet = workbook.add_worksheet();
    sheet.set_name("Nhiệm vụ")?;
    sheet.write_string_with_format(0, 0, &view.title, &title)?;
    sheet.write_string(1, 0, format!("{} ({})", view.plan_title, view.period_text))?;
    let header = [
        "STT",
        "Nội dung công việc",
        "Thời gian hoàn thành",
        "Tình trạng",
        "Tiến độ (%)",
        "Ghi nhận gần nhất",
        "Minh chứng",
        "Trễ hạn",
    ];
    let widths = [7.0, 55.0, 18.0, 18.0, 10.0, 40.0, 11.0, 9.0];
    for (i, (h, w)) in header.iter().zip(widths).enumerate() {
        sheet.set_column_width(i as u16, w)?;
        sheet.write_string_with_format(3, i as u16, *h, &head)?;
    }
    for (i, task) in view.tasks.iter().enumerate() {
        let row = 4 + i as u32;
        let format = if task.section { &bold } else { &cell };
        sheet.write_string_with_format(row, 0, &task.number, format)?;
        sheet.write_string_with_format(row, 1, &task.content, format)?;
        sheet.write_string_with_format(row, 2, &task.time_frame, format)?;
        sheet.write_string_with_format(row, 3, &task.status, format)?;
        if task.section {
            for column in 4..8 {
                sheet.write_string_with_format(row, column, "", format)?;
            }
        } else {
            sheet.write_number_with_format(row, 4, f64::from(task.percent), format)?;
            sheet.write_string_with_format(row, 5, &task.note, format)?;
            sheet.write_number_with_format(row, 6, f64::from(task.evidence), format)?;
            sheet.write_string_with_format(row, 7, if task.late { "Có" } else { "" }, format)?;
        }
    }
    sheet.set_freeze_panes(4, 0)?;

    let sheet = workbook.add_worksheet();
    sheet.set_name("Chỉ tiêu")?;
    let header = ["STT", "Chỉ tiêu", "Mục tiêu", "Thực hiện", "Số liệu", "Đánh giá"];
    let widths = [7.0, 60.0, 11.0, 11.0, 45.0, 20.0];
    for (i, (h, w)) in header.iter().zip(widths).enumerate() {
        sheet.set_column_width(i as u16, w)?;
        sheet.write_string_with_format(0, i as u16, *h, &head)?;
    }
    for (i, target) in view.targets.iter().enumerate() {
        let row = 1 + i as u32;
        for (column, value) in [
            &target.number,
            &target.text,
            &target.threshold,
            &target.actual,
            &target.figures,
            &target.status,
        ]
        .into_iter()
        .enumerate()
        {
            sheet.write_string_with_format(row, column as u16, value, &cell)?;
        }
    }

    let sheet = workbook.add_worksheet();
    sheet.set_name("Hồ sơ TTHC")?;
    sheet.set_column_width(0, 50.0)?;
    sheet.set_column_width(1, 14.0)?;
    sheet.write_string_with_format(0, 0, "Chỉ số", &head)?;
    sheet.write_string_with_format(0, 1, "Giá trị", &head)?;
    let d = &view.dossiers;
    let figures: Vec<(&str, String)> = if d.available {
        vec![
            ("Kỳ trước chuyển sang", d.carried_over.to_string()),
            ("Tiếp nhận trong kỳ", d.received.to_string()),
            ("Tổng số cần xử lý", d.to_handle.to_string()),
            ("Giải quyết trước hạn", d.early.to_string()),
            ("Giải quyết đúng hạn", d.on_time.to_string()),
            ("Giải quyết quá hạn", d.late.to_string()),
            ("Rút hồ sơ hoặc dừng xử lý", d.withdrawn_or_stopped.to_string()),
            ("Đang giải quyết trong hạn", d.in_progress.to_string()),
            ("Đang giải quyết quá hạn", d.overdue.to_string()),
            ("Tỷ lệ giải quyết trước và đúng hạn", d.on_time_percent.clone()),
            ("Lượt đánh giá", d.rated.to_string()),
            ("Tỷ lệ hài lòng", d.satisfaction_percent.clone()),
            ("Tỷ lệ kết quả được số hóa", d.digitised_percent.clone()),
        ]
    } else {
        vec![("Số liệu hồ sơ", "Chưa có".to_string())]
    };
    for (i, (label, value)) in figures.iter().enumerate() {
        sheet.write_string_with_format(1 + i as u32, 0, *label, &cell)?;
        sheet.write_string_with_format(1 + i as u32, 1, value, &cell)?;
    }
    workbook.save_to_buffer()
}
