//! The view model the templates see: the proto data turned into plain, serialisable values,
//! formatted in Vietnamese (enum values by their `eiso_proto::labels`), with times in Asia/Ho_Chi_Minh and all text in NFC. `TEMPLATES.md`
//! documents these names for the offices that write their own templates: keep both in step.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Timelike, Utc};
use eiso_proto::eiso::procedures::v1::{
    Applicant, ApplicantType, Dossier, DossierStatus, Form, ProcedureVersion, processing_time::Budget,
};
use eiso_proto::labels::Label;
use eiso_proto::prost_types::Timestamp;
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

use super::{FormContext, RegisterContext};
use crate::calendar::{TIME_ZONE, classify};
use crate::convert::outcome_to_proto;

/// Text in Unicode NFC.
fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// A display name for an officer id, or an empty string (a blank to fill in by hand).
fn officer(names: &BTreeMap<String, String>, id: &str) -> String {
    names.get(id).map(|n| nfc(n)).unwrap_or_default()
}

fn instant(ts: Option<&Timestamp>) -> Option<DateTime<Utc>> {
    let ts = ts?;
    let nanos = u32::try_from(ts.nanos).ok()?;
    DateTime::from_timestamp(ts.seconds, nanos)
}

/// One instant, formatted every way a form prints it. All fields are empty strings (and `set`
/// false) when the instant is not known.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub(super) struct DateView {
    /// Whether the instant is known.
    pub set: bool,
    /// `ngày 05 tháng 3 năm 2025`, in words as Nghị định 30/2020/NĐ-CP
    /// writes dates (a month from 3 on without a leading zero).
    pub long: String,
    /// `ngày 05 tháng 3 năm 2025`: a document's date line after its place
    /// name, as Nghị định 30/2020/NĐ-CP writes it.
    pub document: String,
    /// `05/03/2025`.
    pub short: String,
    /// `14 giờ 30 phút, ngày 05/03/2025`.
    pub time: String,
    /// `14 giờ 30 phút, ngày 05 tháng 3 năm 2025`.
    pub time_long: String,
    /// `14:30 05/03/2025`.
    pub short_time: String,
    /// `14:30`.
    pub hm: String,
    /// `05`, `03`, `2025`, `14`, `30`.
    pub day: String,
    pub month: String,
    pub year: String,
    pub hour: String,
    pub minute: String,
    /// `2025-03-05T14:30:00+07:00`.
    pub iso: String,
}

impl DateView {
    pub(super) fn of(instant: Option<DateTime<Utc>>) -> Self {
        let Some(instant) = instant else { return Self::default() };
        let t = instant.with_timezone(&TIME_ZONE);
        let (day, month, year) = (
            format!("{:02}", t.day()),
            format!("{:02}", t.month()),
            format!("{:04}", t.year()),
        );
        let (hour, minute) = (format!("{:02}", t.hour()), format!("{:02}", t.minute()));
        Self {
            set: true,
            long: eiso_platform::aip::time::document_date(t.date_naive()),
            document: eiso_platform::aip::time::document_date(t.date_naive()),
            short: format!("{day}/{month}/{year}"),
            time: eiso_platform::vi::time_and_date(instant),
            time_long: format!(
                "{hour} giờ {minute} phút, {}",
                eiso_platform::aip::time::document_date(t.date_naive())
            ),
            short_time: format!("{hour}:{minute} {day}/{month}/{year}"),
            hm: format!("{hour}:{minute}"),
            iso: t.format("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            day,
            month,
            year,
            hour,
            minute,
        }
    }

    fn ts(ts: Option<&Timestamp>) -> Self {
        Self::of(instant(ts))
    }
}

/// `15 ngày làm việc`, `8 giờ làm việc`.
fn processing_time_label(version: &ProcedureVersion) -> String {
    match version.processing_time.as_ref().and_then(|p| p.budget) {
        Some(Budget::WorkingDays(n)) => format!("{n} ngày làm việc"),
        Some(Budget::WorkingHours(n)) => format!("{n} giờ làm việc"),
        None => String::new(),
    }
}

/// `1.500.000 đồng`.
fn money(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    let sign = if amount < 0 { "-" } else { "" };
    format!("{sign}{out} đồng")
}

/// `01`, `02` … `10`: how the forms print counts of sets; empty for none (a blank to fill in).
fn two_digits(n: i64) -> String {
    if n > 0 { format!("{n:02}") } else { String::new() }
}

#[derive(Debug, Serialize)]
pub(super) struct FormInfo {
    /// `01` … `06`.
    pub number: &'static str,
    /// The title in capitals.
    pub title: &'static str,
    /// The template's name, `form-01.html` ….
    pub template: &'static str,
}

pub(super) fn form_info(form: Form) -> FormInfo {
    let (number, title) = match form {
        Form::Receipt => ("01", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"),
        Form::SupplementRequest => ("02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"),
        Form::Refusal => ("03", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"),
        Form::Apology => ("04", "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"),
        Form::ControlSlip => ("05", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"),
        Form::Register => ("06", "SỔ THEO DÕI HỒ SƠ"),
        Form::Unspecified => ("", ""),
    };
    FormInfo {
        number,
        title,
        template: super::template_name(form).unwrap_or(""),
    }
}

#[derive(Debug, Serialize)]
pub(super) struct AgencyView {
    pub name: String,
    pub code: String,
    /// Where its documents are dated (địa danh); empty for none.
    pub place: String,
}

#[derive(Debug, Default, Serialize)]
pub(super) struct ApplicantView {
    pub full_name: String,
    pub id_number: String,
    pub phone: String,
    pub address: String,
    pub email: String,
    /// A business, an agency or another body rather than a person.
    pub organisation: bool,
    /// How a letter speaks to them: `Ông/Bà`, or `Quý cơ quan, tổ chức`.
    pub title: &'static str,
    /// What their identifier is called on the forms.
    pub id_label: &'static str,
}

impl ApplicantView {
    fn of(applicant: Option<&Applicant>) -> Self {
        let Some(a) = applicant else { return Self::default() };
        let organisation = matches!(
            ApplicantType::try_from(a.r#type),
            Ok(ApplicantType::Business | ApplicantType::Agency | ApplicantType::Other)
        );
        Self {
            full_name: nfc(&a.full_name),
            id_number: nfc(&a.id_number),
            phone: nfc(&a.phone),
            address: nfc(&a.address),
            email: nfc(&a.email),
            organisation,
            title: if organisation {
                "Quý cơ quan, tổ chức"
            } else {
                "Ông/Bà"
            },
            id_label: if organisation {
                "Mã số doanh nghiệp, tổ chức"
            } else {
                "Số định danh cá nhân"
            },
        }
    }
}

#[derive(Debug, Serialize)]
pub(super) struct StepView {
    /// 1-based.
    pub number: usize,
    pub name: String,
    /// Who does it (unit or role).
    pub handler: String,
    /// Allotted working hours.
    pub working_hours: i32,
    /// `8 giờ làm việc`.
    pub norm: String,
}

#[derive(Debug, Serialize)]
pub(super) struct FeeView {
    pub description: String,
    /// `50.000 đồng`.
    pub amount: String,
    pub amount_vnd: i64,
}

#[derive(Debug, Serialize)]
pub(super) struct ProcedureView {
    /// The national code, e.g. `2.002481`.
    pub code: String,
    /// The version's number.
    pub version: i32,
    pub name: String,
    pub field: String,
    pub level: &'static str,
    /// `15 ngày làm việc`.
    pub processing_time: String,
    pub steps: Vec<StepView>,
    pub fees: Vec<FeeView>,
    pub legal_basis: Vec<String>,
}

/// `procedures/{code}/versions/{n}` → `{code}`.
fn procedure_code(version_name: &str) -> String {
    version_name
        .strip_prefix("procedures/")
        .and_then(|r| r.split('/').next())
        .unwrap_or("")
        .to_string()
}

impl ProcedureView {
    fn of(p: &ProcedureVersion) -> Self {
        Self {
            code: procedure_code(&p.name),
            version: p.number,
            name: nfc(&p.display_name),
            field: nfc(&p.field),
            level: p.level().label_vi(),
            processing_time: processing_time_label(p),
            steps: p
                .steps
                .iter()
                .enumerate()
                .map(|(i, s)| StepView {
                    number: i + 1,
                    name: nfc(&s.display_name),
                    handler: nfc(&s.handler),
                    working_hours: s.working_hours,
                    norm: format!("{} giờ làm việc", s.working_hours),
                })
                .collect(),
            fees: p
                .fees
                .iter()
                .map(|f| FeeView {
                    description: nfc(&f.description),
                    amount: money(f.amount_vnd),
                    amount_vnd: f.amount_vnd,
                })
                .collect(),
            legal_basis: p.legal_basis.iter().map(|s| nfc(s)).collect(),
        }
    }
}

#[derive(Debug, Serialize)]
pub(super) struct DocumentView {
    /// 1-based.
    pub number: usize,
    pub name: String,
    /// `Bản chính`, `Bản sao có chứng thực`, `Bản sao`, `Bản chính hoặc bản sao có chứng thực`.
    pub copy_kind: &'static str,
    pub sets: i32,
}

#[derive(Debug, Serialize)]
pub(super) struct DossierView {
    pub code: String,
    /// What is asked, in short (trích yếu).
    pub summary: String,
    /// The summary, or the procedure's name when there is none.
    pub matter: String,
    /// `Trực tiếp`, `Trực tuyến`, `Qua dịch vụ bưu chính`.
    pub channel: &'static str,
    pub status: &'static str,
    /// The portal's status number, 1–10.
    pub status_number: i32,
    /// Sets (bộ) of the dossier handed in.
    pub sets: i32,
    /// `01`; empty when there are no documents.
    pub sets_text: String,
    pub receive: DateView,
    /// The due time that decides the outcome.
    pub due: DateView,
    /// The appointment given to the applicant (the extension's, if any);
    /// none while the dossier waits for a supplement (the clock is stopped
    /// and a new appointment follows the supplement).
    pub appointment: DateView,
    /// Waiting for a supplement: the appointment is given again when it comes.
    pub awaiting_supplement: bool,
    pub complete: DateView,
    pub returned: DateView,
    /// `Trước hạn`, `Đúng hạn`, `Quá hạn`, or empty while unresolved.
    pub outcome: &'static str,
    pub result_summary: String,
    pub result_digitised: bool,
    /// Where the result is collected.
    pub collect_place: String,
    /// The officer who received the dossier (display name, or empty).
    pub receiving_officer: String,
    /// The officer holding it now (display name, or empty).
    pub assignee: String,
    /// The current step's name (empty before the first hand-over).
    pub current_step: String,
}

#[derive(Debug, Default, Serialize)]
pub(super) struct SupplementView {
    /// Whether the dossier has a supplement request (the latest one is shown).
    pub requested: bool,
    pub request: DateView,
    pub reason: String,
    pub documents: Vec<String>,
    /// When the complete dossier arrived (unset while waiting).
    pub received: DateView,
    /// The officer who asked (display name, or empty).
    pub contact_officer: String,
}

#[derive(Debug, Default, Serialize)]
pub(super) struct RefusalView {
    pub refused: bool,
    pub reason: String,
    pub time: DateView,
    pub officer: String,
}

#[derive(Debug, Default, Serialize)]
pub(super) struct ExtensionView {
    pub extended: bool,
    pub request: DateView,
    /// Why the dossier is late.
    pub reason: String,
    /// The appointment first given (the due time).
    pub original_appointment: DateView,
    pub new_appointment: DateView,
}

#[derive(Debug, Serialize)]
pub(super) struct HandoverView {
    /// 1-based row number.
    pub number: usize,
    /// Whether the row records a hand-over that happened (false: a step still to come, left
    /// blank to fill in by hand).
    pub done: bool,
    /// Whether the row is the return of the result after the last step.
    pub completion: bool,
    /// Whether the row is the intake (step 1, the counter's), recorded at receipt: its time
    /// is the receive time and its receiver the clerk who received the dossier.
    pub intake: bool,
    /// The unit the giver acted for (display name; for the intake, the counter), or empty.
    pub giver_unit: String,
    /// 1-based step number (0 for the completion row).
    pub step: usize,
    /// The step's name, e.g. `Thẩm định hồ sơ`.
    pub step_name: String,
    /// The unit or role that does the step.
    pub unit: String,
    /// The step's norm, `8 giờ làm việc`.
    pub norm: String,
    /// The step's norm in working hours (0 if unknown).
    pub working_hours: i32,
    pub time_given: DateView,
    pub time_received: DateView,
    pub giver: String,
    pub receiver: String,
    /// When the step handed to is due.
    pub step_due: DateView,
    /// The giver's timeliness on the step it hands on: `Trước hạn`, `Đúng hạn`, `Quá hạn`,
    /// or empty (the intake, the first row of a dossier from before it was recorded, or
    /// unknown).
    pub result: &'static str,
    pub note: String,
}

#[derive(Debug, Serialize)]
pub(super) struct FormView {
    pub form: FormInfo,
    pub agency: AgencyView,
    /// When the form is printed.
    pub issue: DateView,
    pub dossier: DossierView,
    pub applicant: ApplicantView,
    pub procedure: ProcedureView,
    pub documents: Vec<DocumentView>,
    pub handovers: Vec<HandoverView>,
    pub supplement: SupplementView,
    pub refusal: RefusalView,
    pub extension: ExtensionView,
    pub lookup: LookupView,
}

/// The citizen's lookup page of the dossier, as an address and a QR code.
#[derive(Debug, Default, Serialize)]
pub(super) struct LookupView {
    pub url: String,
    /// An SVG element; empty when there is no address.
    pub qr: String,
    /// The rating code as printed (`ABCD-EFGH`), with or without an
    /// address; empty when there is none.
    pub rating_code: String,
}

impl LookupView {
    fn of(public_url: &str, code: &str, rating_code: &str) -> Self {
        let rating_code = crate::rating::printed_rating_code(rating_code);
        if public_url.is_empty() || code.is_empty() {
            return Self {
                rating_code,
                ..Self::default()
            };
        }
        let url = format!("{}/tra-cuu?ma={code}", public_url.trim_end_matches('/'));
        let qr = qrcode::QrCode::new(url.as_bytes())
            .map(|qr| {
                let svg = qr
                    .render::<qrcode::render::svg::Color<'_>>()
                    .min_dimensions(96, 96)
                    .quiet_zone(true)
                    .build();
                // The renderer writes an XML declaration before the element.
                svg.find("<svg").map(|at| svg[at..].to_string()).unwrap_or_default()
            })
            .unwrap_or_default();
        Self { url, qr, rating_code }
    }
}

/// Whether the dossier waits for the applicant's supplement.
fn awaiting_supplement(d: &Dossier) -> bool {
    d.status == DossierStatus::SupplementRequested as i32
}

/// The appointment to print: the extension's or the due time, none while a
/// supplement is awaited (the one given before no longer holds).
fn appointment(d: &Dossier) -> Option<&Timestamp> {
    if awaiting_supplement(d) {
        return None;
    }
    d.appointment_time.as_ref().or(d.due_time.as_ref())
}

/// Sets of the dossier (bộ hồ sơ) handed in; one for a dossier from before
/// they were counted.
fn dossier_sets(d: &Dossier) -> i32 {
    d.dossier_sets.max(1)
}

/// The actor of the last history entry with this status.
fn last_actor(d: &Dossier, status: DossierStatus) -> Option<&str> {
    d.history
        .iter()
        .rev()
        .find(|h| h.status() == status)
        .map(|h| h.actor.as_str())
}

/// The officer who received the dossier: the actor of its `RECEIVED` entry, else the giver of
/// the first hand-over.
fn receiving_officer_id(d: &Dossier) -> &str {
    d.history
        .iter()
        .find(|h| h.status() == DossierStatus::Received)
        .map(|h| h.actor.as_str())
        .or_else(|| d.handovers.first().map(|h| h.giver.as_str()))
        .unwrap_or("")
}

fn timeliness(done: Option<DateTime<Utc>>, due: Option<DateTime<Utc>>) -> &'static str {
    match (done, due) {
        (Some(done), Some(due)) => outcome_to_proto(classify(done, due)).label_vi(),
        _ => "",
    }
}

/// What the intake row is called when the procedure names no first step.
const INTAKE_STEP: &str = "Tiếp nhận hồ sơ";

fn handover_rows(ctx: &FormContext) -> Vec<HandoverView> {
    let d = &ctx.dossier;
    let names = &ctx.officer_names;
    let steps = &ctx.procedure.steps;
    let step_info = |index: i32| -> (String, String, String, i32) {
        usize::try_from(index)
            .ok()
            .and_then(|i| steps.get(i))
            .map(|s| {
                (
                    nfc(&s.display_name),
                    nfc(&s.handler),
                    format!("{} giờ làm việc", s.working_hours),
                    s.working_hours,
                )
            })
            .unwrap_or_default()
    };
    let unit_name = |unit: &str| ctx.unit_names.get(unit).map(|n| nfc(n)).unwrap_or_default();
    let mut rows = Vec::new();
    let mut previous_due: Option<DateTime<Utc>> = None;
    for (i, h) in d.handovers.iter().enumerate() {
        let (mut step_name, mut unit, norm, working_hours) = step_info(h.step);
        let giver_unit = unit_name(&h.giver_unit);
        if h.intake {
            // The counter's step, even where the procedure does not name it.
            if step_name.is_empty() {
                step_name = INTAKE_STEP.to_string();
            }
            if unit.is_empty() {
                unit = giver_unit.clone();
            }
        }
        let time = instant(h.handover_time.as_ref());
        rows.push(HandoverView {
            number: rows.len() + 1,
            done: true,
            completion: false,
            intake: h.intake,
            giver_unit,
            step: usize::try_from(h.step).map(|s| s + 1).unwrap_or(0),
            step_name,
            unit,
            norm,
            working_hours,
            time_given: DateView::of(time),
            time_received: DateView::of(time),
            giver: officer(names, &h.giver),
            receiver: officer(names, &h.receiver),
            step_due: DateView::ts(h.step_due_time.as_ref()),
            result: if i == 0 { "" } else { timeliness(time, previous_due) },
            note: nfc(&h.note),
        });
        previous_due = instant(h.step_due_time.as_ref());
    }
    let complete = instant(d.complete_time.as_ref());
    if complete.is_some() {
        let last_receiver = d
            .handovers
            .last()
            .map(|h| h.receiver.as_str())
            .unwrap_or(d.assignee.as_str());
        rows.push(HandoverView {
            number: rows.len() + 1,
            done: true,
            completion: true,
            intake: false,
            giver_unit: String::new(),
            step: 0,
            step_name: "Trả kết quả về bộ phận tiếp nhận".into(),
            unit: String::new(),
            norm: String::new(),
            working_hours: 0,
            time_given: DateView::of(complete),
            time_received: DateView::of(complete),
            giver: officer(names, last_receiver),
            receiver: officer(names, last_actor(d, DossierStatus::Returned).unwrap_or("")),
            step_due: DateView::default(),
            result: timeliness(complete, previous_due),
            note: nfc(&d.result_summary),
        });
    } else {
        // The steps still to come, as blank rows to fill in by hand as the dossier moves.
        let next = d.handovers.last().map(|h| h.step + 1).unwrap_or(0).max(0);
        for index in next..i32::try_from(steps.len()).unwrap_or(i32::MAX) {
            let (step_name, unit, norm, working_hours) = step_info(index);
            rows.push(HandoverView {
                number: rows.len() + 1,
                done: false,
                completion: false,
                intake: false,
                giver_unit: String::new(),
                step: usize::try_from(index).map(|s| s + 1).unwrap_or(0),
                step_name,
                unit,
                norm,
                working_hours,
                time_given: DateView::default(),
                time_received: DateView::default(),
                giver: String::new(),
                receiver: String::new(),
                step_due: DateView::default(),
                result: "",
                note: String::new(),
            });
        }
    }
    rows
}

pub(super) fn form_view(form: Form, ctx: &FormContext) -> FormView {
    let d = &ctx.dossier;
    let names = &ctx.officer_names;
    let procedure = ProcedureView::of(&ctx.procedure);
    let summary = nfc(&d.summary);
    let matter = if summary.trim().is_empty() {
        procedure.name.clone()
    } else {
        summary.clone()
    };
    let sets = dossier_sets(d);
    let at_intake = d.handovers.last().is_some_and(|h| h.intake);
    let current_step = usize::try_from(d.current_step)
        .ok()
        .and_then(|i| ctx.procedure.steps.get(i))
        .map(|s| nfc(&s.display_name))
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| {
            if at_intake {
                INTAKE_STEP.to_string()
            } else {
                String::new()
            }
        });

    let supplement = match d.supplements.last() {
        Some(s) => SupplementView {
            requested: true,
            request: DateView::ts(s.request_time.as_ref()),
            reason: nfc(&s.reason),
            documents: s.documents.iter().map(|x| nfc(x)).collect(),
            received: DateView::ts(s.receive_time.as_ref()),
            contact_officer: officer(names, last_actor(d, DossierStatus::SupplementRequested).unwrap_or("")),
        },
        None => SupplementView::default(),
    };
    let refusal = match d
        .history
        .iter()
        .rev()
        .find(|h| h.status() == DossierStatus::NotReceived)
    {
        Some(h) => RefusalView {
            refused: true,
            reason: nfc(&h.note),
            time: DateView::ts(h.change_time.as_ref().or(d.receive_time.as_ref())),
            officer: officer(names, &h.actor),
        },
        None => RefusalView::default(),
    };
    let extension = match &d.extension {
        Some(e) => ExtensionView {
            extended: true,
            request: DateView::ts(e.request_time.as_ref()),
            reason: nfc(&e.reason),
            original_appointment: DateView::ts(d.due_time.as_ref()),
            new_appointment: DateView::ts(e.new_appointment_time.as_ref()),
        },
        None => ExtensionView::default(),
    };
    let receiving_officer = match d.status() {
        DossierStatus::NotReceived => refusal.officer.clone(),
        _ => officer(names, receiving_officer_id(d)),
    };

    FormView {
        form: form_info(form),
        agency: AgencyView {
            name: nfc(&ctx.agency_name),
            code: nfc(&ctx.agency_code),
            place: nfc(&ctx.place_name),
        },
        issue: DateView::of(Some(ctx.issue_time)),
        dossier: DossierView {
            code: nfc(&d.code),
            summary,
            matter,
            channel: d.channel().label_vi(),
            status: d.status().label_vi(),
            status_number: d.status,
            sets,
            sets_text: two_digits(i64::from(sets)),
            receive: DateView::ts(d.receive_time.as_ref()),
            due: DateView::ts(d.due_time.as_ref()),
            appointment: DateView::ts(appointment(d)),
            awaiting_supplement: awaiting_supplement(d),
            complete: DateView::ts(d.complete_time.as_ref()),
            returned: DateView::ts(d.return_time.as_ref()),
            outcome: d.outcome().label_vi(),
            result_summary: nfc(&d.result_summary),
            result_digitised: d.result_digitised,
            collect_place: nfc(&ctx.agency_name),
            receiving_officer,
            assignee: officer(names, &d.assignee),
            current_step,
        },
        applicant: ApplicantView::of(d.applicant.as_ref()),
        documents: d
            .documents
            .iter()
            .enumerate()
            .map(|(i, doc)| DocumentView {
                number: i + 1,
                name: nfc(&doc.display_name),
                copy_kind: doc.copy_kind().label_vi(),
                sets: doc.sets,
            })
            .collect(),
        handovers: handover_rows(ctx),
        procedure,
        supplement,
        refusal,
        extension,
        lookup: LookupView::of(&ctx.public_url, &d.code, &ctx.rating_code),
    }
}

#[derive(Debug, Serialize)]
pub(super) struct RegisterRow {
    /// 1, 2, 3 … continuous through the year.
    pub number: usize,
    pub code: String,
    pub summary: String,
    /// The procedure's display name (empty if not in the context).
    pub procedure: String,
    pub sets: i32,
    pub sets_text: String,
    /// The applicant's name.
    pub owner: String,
    pub address: String,
    pub phone: String,
    pub receive: DateView,
    /// The due time (the appointment first given).
    pub due: DateView,
    /// Whether an extension set a new appointment.
    pub extended: bool,
    /// The appointment given (the extension's, if any).
    pub appointment: DateView,
    pub complete: DateView,
    pub returned: DateView,
    /// The receiving officer's display name (empty if unknown).
    pub receiving_officer: String,
    pub status: &'static str,
    pub outcome: &'static str,
}

#[derive(Debug, Serialize)]
pub(super) struct RegisterView {
    pub form: FormInfo,
    pub agency: AgencyView,
    pub year: i32,
    pub rows: Vec<RegisterRow>,
    pub count: usize,
}

pub(super) fn register_view(ctx: &RegisterContext) -> RegisterView {
    let mut dossiers: Vec<&Dossier> = ctx.dossiers.iter().collect();
    // Already ordered by the caller; a stable sort keeps that order for equal or missing times.
    dossiers.sort_by_key(|d| instant(d.receive_time.as_ref()).map_or((1, None), |t| (0, Some(t))));
    let rows: Vec<RegisterRow> = dossiers
        .into_iter()
        .enumerate()
        .map(|(i, d)| {
            let applicant = ApplicantView::of(d.applicant.as_ref());
            let sets = dossier_sets(d);
            RegisterRow {
                number: i + 1,
                code: nfc(&d.code),
                summary: nfc(&d.summary),
                procedure: ctx
                    .procedures
                    .get(&d.procedure_version)
                    .map(|n| nfc(n))
                    .unwrap_or_default(),
                sets,
                sets_text: two_digits(i64::from(sets)),
                owner: applicant.full_name,
                address: applicant.address,
                phone: applicant.phone,
                receive: DateView::ts(d.receive_time.as_ref()),
                due: DateView::ts(d.due_time.as_ref()),
                extended: d.extension.is_some(),
                appointment: DateView::ts(appointment(d)),
                complete: DateView::ts(d.complete_time.as_ref()),
                returned: DateView::ts(d.return_time.as_ref()),
                receiving_officer: officer(&ctx.officer_names, receiving_officer_id(d)),
                status: d.status().label_vi(),
                outcome: d.outcome().label_vi(),
            }
        })
        .collect();
    RegisterView {
        form: form_info(Form::Register),
        agency: AgencyView {
            name: nfc(&ctx.agency_name),
            code: String::new(),
            place: String::new(),
        },
        year: ctx.year,
        count: rows.len(),
        rows,
    }
}
