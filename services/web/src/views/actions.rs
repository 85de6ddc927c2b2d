//! What can be done to a dossier from its page: hand over, ask for and
//! receive a supplement, extend with the apology, stop, withdraw, complete,
//! return the result, record the applicant's rating. Each is one form posting
//! to `/ho-so/{id}/thao-tac/{action}`; the service decides whether the
//! dossier's status and the person's units allow it.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveTime, TimeZone, Utc};
use eiso_platform::ServiceError;
use eiso_platform::aip::time::{TIME_ZONE, timestamp};
use eiso_proto::eiso::procedures::v1 as pb;
use http::HeaderMap;

use super::dossier::Refusal;
use super::fields::Fields;
use crate::Web;
use crate::error::PageError;
use crate::session::Session;

/// An action: its address, API method, and the statuses its form shows in.
pub struct Action {
    pub key: &'static str,
    pub method: &'static str,
    pub label: &'static str,
    pub shown_in: &'static [pb::DossierStatus],
}

use pb::DossierStatus as S;

const WORKING: &[S] = &[S::Received, S::InProgress];
const OPEN: &[S] = &[S::Received, S::InProgress, S::SupplementRequested, S::AwaitingPayment];

pub const ACTIONS: &[Action] = &[
    Action {
        key: "ban-giao",
        method: "/eiso.procedures.v1.DossierService/HandOverDossier",
        label: "Chuyển xử lý",
        shown_in: WORKING,
    },
    Action {
        key: "hoan-thanh",
        method: "/eiso.procedures.v1.DossierService/CompleteDossier",
        label: "Hoàn thành giải quyết",
        shown_in: WORKING,
    },
    Action {
        key: "yeu-cau-bo-sung",
        method: "/eiso.procedures.v1.DossierService/RequestSupplement",
        label: "Yêu cầu bổ sung hồ sơ",
        shown_in: WORKING,
    },
    Action {
        key: "nhan-bo-sung",
        method: "/eiso.procedures.v1.DossierService/ReceiveSupplement",
        label: "Nhận hồ sơ bổ sung",
        shown_in: &[S::SupplementRequested],
    },
    Action {
        key: "gia-han",
        method: "/eiso.procedures.v1.DossierService/ExtendDossier",
        label: "Gia hạn và xin lỗi",
        shown_in: WORKING,
    },
    Action {
        key: "tra-ket-qua",
        method: "/eiso.procedures.v1.DossierService/ReturnResult",
        label: "Trả kết quả",
        shown_in: &[S::Completed],
    },
    Action {
        key: "danh-gia",
        method: "/eiso.procedures.v1.DossierService/RateDossier",
        label: "Ghi nhận đánh giá của người dân",
        shown_in: &[S::Returned],
    },
    Action {
        key: "rut",
        method: "/eiso.procedures.v1.DossierService/WithdrawDossier",
        label: "Rút hồ sơ (theo đề nghị của người nộp)",
        shown_in: OPEN,
    },
    Action {
        key: "dung-xu-ly",
        method: "/eiso.procedures.v1.DossierService/StopProcessing",
        label: "Dừng xử lý",
        shown_in: OPEN,
    },
];

/// The actions the dossier's page offers to this person.
pub fn offered(session: &Session, dossier: &pb::Dossier) -> Vec<&'static Action> {
    let status = S::try_from(dossier.status).unwrap_or_default();
    ACTIONS
        .iter()
        .filter(|a| a.shown_in.contains(&status) && session.may(a.method))
        .filter(|a| a.key != "danh-gia" || dossier.satisfaction == 0)
        .collect()
}

/// A violation of the service as the form's field message, in Vietnamese.
fn message(field: &str) -> &'static str {
    match field {
        "reason" => "Nhập lý do.",
        "documents" => "Nhập ít nhất một giấy tờ cần bổ sung, mỗi giấy tờ một dòng.",
        "new_appointment_time" => {
            "Nhập ngày hẹn mới dạng ngày/tháng/năm (ví dụ 05/03/2025) và giờ (17:00), sau hạn giải quyết hiện tại."
        }
        "result_summary" => "Nhập kết quả giải quyết.",
        "satisfaction" => "Chọn mức độ hài lòng.",
        "receiver" => "Chọn người nhận hồ sơ.",
        "step" => "Bước xử lý không còn đúng: tải lại trang.",
        "note" | "comment" => "Ghi chú quá dài.",
        _ => "Có giá trị không hợp lệ.",
    }
}

/// A local date and time typed on the form (`05/03/2025`, `14:30`; 17:00
/// without a time); `None` when either cannot be read.
fn local_instant(date: &str, time: &str) -> Option<eiso_proto::prost_types::Timestamp> {
    let date = crate::format::parse_day(date)?;
    let time = if time.trim().is_empty() {
        NaiveTime::from_hms_opt(17, 0, 0)?
    } else {
        crate::format::parse_time(time)?
    };
    let instant = TIME_ZONE.from_local_datetime(&date.and_time(time)).single()?;
    Some(timestamp(instant.with_timezone(&Utc)))
}

pub async fn submit(
    State(web): State<Web>,
    session: Session,
    headers: HeaderMap,
    Path((id, key)): Path<(String, String)>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = Fields::checked(form, &headers)?;
    let action = ACTIONS.iter().find(|a| a.key == key).ok_or(PageError::NotFound)?;
    let ctx = web.write_context(&session, action.method).await?;
    let name = format!("dossiers/{id}");
    let dossiers = web.procedures();
    let reason = fields.get("ly_do").to_string();
    let result = match action.key {
        "ban-giao" => {
            let step = fields.get("buoc").parse().unwrap_or(-1);
            let request = pb::HandOverDossierRequest {
                name,
                step,
                receiver: fields.get("nguoi_nhan").to_string(),
                note: fields.get("ghi_chu").to_string(),
            };
            dossiers.hand_over(&ctx, request).await
        }
        "hoan-thanh" => {
            let request = pb::CompleteDossierRequest {
                name,
                result_summary: fields.get("ket_qua").to_string(),
                digitised: fields.get("so_hoa") == "co",
            };
            dossiers.complete(&ctx, request).await
        }
        "yeu-cau-bo-sung" => {
            let documents = fields
                .get("giay_to")
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect();
            let request = pb::RequestSupplementRequest {
                name,
                reason,
                documents,
            };
            dossiers.request_supplement(&ctx, request).await
        }
        "nhan-bo-sung" => {
            dossiers
                .receive_supplement(&ctx, pb::ReceiveSupplementRequest { name })
                .await
        }
        "gia-han" => {
            let request = pb::ExtendDossierRequest {
                name,
                reason,
                new_appointment_time: local_instant(fields.get("ngay_hen"), fields.get("gio_hen")),
            };
            dossiers.extend(&ctx, request).await
        }
        "tra-ket-qua" => dossiers.return_result(&ctx, pb::ReturnResultRequest { name }).await,
        "danh-gia" => {
            let request = pb::RateDossierRequest {
                name,
                satisfaction: fields.satisfaction("muc_do") as i32,
                comment: fields.get("y_kien").to_string(),
            };
            dossiers.rate(&ctx, request).await
        }
        "rut" => {
            dossiers
                .withdraw(&ctx, pb::WithdrawDossierRequest { name, reason })
                .await
        }
        _ => {
            dossiers
                .stop_processing(&ctx, pb::StopProcessingRequest { name, reason })
                .await
        }
    };
    let problem = match web.audited(&session, action.method, result).await {
        Ok(_) => return Ok(Redirect::to(&format!("/ho-so/{id}?da={key}")).into_response()),
        Err(ServiceError::InvalidArgument(violations)) => {
            let mut messages: Vec<&str> = violations.iter().map(|v| message(&v.field)).collect();
            messages.dedup();
            Refusal::Message(messages.join(" "))
        }
        Err(error @ (ServiceError::FailedPrecondition { .. } | ServiceError::Aborted(_))) => {
            match eiso_procedures::unconfirmed_calendar_year(&error) {
                // Who can confirm the year, and how: the page says it.
                Some((calendar, year)) => {
                    Refusal::UnconfirmedYear(year, calendar.trim_start_matches("calendars/").to_string())
                }
                None => Refusal::Message(
                    "Hồ sơ vừa thay đổi hoặc đang ở trạng thái không cho phép thao tác này. Xem lại tiến trình bên dưới."
                        .into(),
                ),
            }
        }
        Err(other) => return Err(other.into()),
    };
    super::dossier::render(&web, &session, &id, Some((action.key, problem))).await
}
