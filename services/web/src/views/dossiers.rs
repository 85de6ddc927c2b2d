//! Danh sách hồ sơ: the dossiers of the person's units by tab (new, in
//! progress, due soon, overdue, waiting to return, returned), with the working
//! time each has left.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::response::Html;
use eiso_procedures::ACTIVE;
use eiso_proto::eiso::procedures::v1 as pb;
use eiso_proto::labels::Label;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::methods::LIST_DOSSIERS;
use crate::error::PageError;
use crate::names::{Names, code_of};
use crate::session::Session;
use crate::{Web, format};

/// The tabs, by their address (`?loai=`): label, filter, order.
const TABS: &[(&str, &str, &str, &str)] = &[
    ("", "Tất cả", "", "receive_time desc"),
    (
        "moi",
        "Mới tiếp nhận",
        "status = DOSSIER_STATUS_RECEIVED",
        "receive_time desc",
    ),
    (
        "dang-xu-ly",
        "Đang xử lý",
        "status = DOSSIER_STATUS_IN_PROGRESS",
        "due_time",
    ),
    ("sap-den-han", "Sắp đến hạn", "due = \"soon\"", "due_time"),
    ("qua-han", "Quá hạn", "due = \"overdue\"", "due_time"),
    (
        "cho-bo-sung",
        "Chờ bổ sung",
        "status = DOSSIER_STATUS_SUPPLEMENT_REQUESTED",
        "receive_time desc",
    ),
    (
        "cho-tra",
        "Chờ trả kết quả",
        "status = DOSSIER_STATUS_COMPLETED",
        "receive_time desc",
    ),
    (
        "da-tra",
        "Đã trả kết quả",
        "status = DOSSIER_STATUS_RETURNED",
        "receive_time desc",
    ),
];

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    loai: String,
    #[serde(default)]
    ma: String,
    #[serde(default)]
    trang: String,
    /// Procedure code.
    #[serde(default)]
    thu_tuc: String,
    /// Unit id (`units/{id}`).
    #[serde(default)]
    don_vi: String,
    /// Channel (`truc-tiep`, `truc-tuyen`, `buu-chinh`).
    #[serde(default)]
    kenh: String,
    /// Received from this day (`2026-01-31`, as a date field sends it).
    #[serde(default)]
    tu_ngay: String,
    /// Received up to and including this day.
    #[serde(default)]
    den_ngay: String,
}

impl ListQuery {
    /// The filter conditions of the list's own filters, each value checked
    /// before it reaches the filter; BAD_REQUEST naming the filter otherwise.
    fn conditions(&self) -> Result<Vec<String>, PageError> {
        let bad = |what: &str| PageError::BadRequest(format!("Bộ lọc không hợp lệ: {what}."));
        let mut out = Vec::new();
        let code = self.ma.trim().to_uppercase();
        if !code.is_empty() {
            // A dossier code is letters, digits and dashes: nothing else reaches the filter.
            if !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                return Err(PageError::BadRequest(
                    "Mã hồ sơ chỉ gồm chữ, số và dấu gạch ngang.".into(),
                ));
            }
            out.push(format!("code = \"{code}\""));
        }
        let procedure = self.thu_tuc.trim();
        if !procedure.is_empty() {
            if !procedure.chars().all(|c| c.is_ascii_alphanumeric() || c == '.') {
                return Err(bad("thủ tục"));
            }
            out.push(format!("procedure = \"procedures/{procedure}\""));
        }
        let unit = self.don_vi.trim();
        if !unit.is_empty() {
            if !super::fields::is_unit_name(unit) {
                return Err(bad("đơn vị"));
            }
            out.push(format!("agency = \"{unit}\""));
        }
        if !self.kenh.is_empty() {
            let channel = super::fields::channel(&self.kenh).ok_or_else(|| bad("hình thức nộp"))?;
            out.push(format!("channel = {}", channel.as_str_name()));
        }
        let day = |text: &str, what: &str| -> Result<Option<chrono::NaiveDate>, PageError> {
            let text = text.trim();
            if text.is_empty() {
                return Ok(None);
            }
            crate::format::parse_day(text).map(Some).ok_or_else(|| bad(what))
        };
        if let Some(from) = day(&self.tu_ngay, "từ ngày")? {
            out.push(format!("receive_time >= \"{from}\""));
        }
        if let Some(until) = day(&self.den_ngay, "đến ngày")? {
            let next = until.succ_opt().ok_or_else(|| bad("đến ngày"))?;
            out.push(format!("receive_time < \"{next}\""));
        }
        Ok(out)
    }

    /// The address's query without the page: what the next page's link keeps.
    fn query_string(&self) -> String {
        format::query_string(&[
            ("loai", &self.loai),
            ("ma", &self.ma),
            ("thu_tuc", &self.thu_tuc),
            ("don_vi", &self.don_vi),
            ("kenh", &self.kenh),
            ("tu_ngay", &self.tu_ngay),
            ("den_ngay", &self.den_ngay),
        ])
    }

    /// Whether any of the list's own filters is set (the filter panel opens).
    fn filtered(&self) -> bool {
        [&self.thu_tuc, &self.don_vi, &self.kenh, &self.tu_ngay, &self.den_ngay]
            .iter()
            .any(|v| !v.trim().is_empty())
    }
}

/// One dossier as a row of a list.
#[derive(Serialize)]
pub struct Row {
    pub id: String,
    pub code: String,
    pub applicant: String,
    pub procedure_code: String,
    pub procedure: String,
    pub agency: String,
    pub received: String,
    pub appointment: String,
    pub status: String,
    pub status_key: String,
    /// "còn 1 ngày 3 giờ làm việc", empty when the clock does not run.
    pub time_left: String,
    pub overdue: bool,
}

/// The rows of `dossiers`, with names and the working time left looked up.
pub async fn rows(web: &Web, dossiers: &[pb::Dossier]) -> Result<Vec<Row>, PageError> {
    let mut names = Names::new(web);
    // Working time left, per agency calendar, for the dossiers whose clock runs.
    let mut by_agency: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, dossier) in dossiers.iter().enumerate() {
        if runs(dossier) && dossier.due_time.is_some() {
            by_agency.entry(dossier.agency.as_str()).or_default().push(i);
        }
    }
    let mut left: HashMap<usize, (chrono::TimeDelta, chrono::TimeDelta)> = HashMap::new();
    for (agency, indexes) in by_agency {
        let due: Vec<_> = indexes
            .iter()
            .filter_map(|i| format::instant(dossiers[*i].due_time.as_ref()))
            .collect();
        let answer = web.procedures().working_time_left(agency, &due).await?;
        for (i, delta) in indexes.into_iter().zip(answer.left) {
            left.insert(i, (delta, answer.working_day));
        }
    }
    let mut rows = Vec::with_capacity(dossiers.len());
    for (i, dossier) in dossiers.iter().enumerate() {
        let status = pb::DossierStatus::try_from(dossier.status).unwrap_or_default();
        let (time_left, overdue) = match left.get(&i) {
            Some((delta, day)) => (
                format::working_time_left(*delta, *day),
                *delta < chrono::TimeDelta::zero(),
            ),
            None => (String::new(), false),
        };
        rows.push(Row {
            id: dossier.name.trim_start_matches("dossiers/").to_string(),
            code: dossier.code.clone(),
            applicant: dossier
                .applicant
                .as_ref()
                .map(|a| a.full_name.clone())
                .unwrap_or_default(),
            procedure_code: code_of(&dossier.procedure_version).to_string(),
            procedure: names.procedure(&dossier.procedure_version).await,
            agency: names.unit(&dossier.agency).await,
            received: format::timestamp(dossier.receive_time.as_ref()),
            appointment: format::timestamp(dossier.appointment_time.as_ref()),
            status: status.label_vi().to_string(),
            status_key: eiso_proto::labels::ProtoEnum::short_name(&status),
            time_left,
            overdue,
        });
    }
    Ok(rows)
}

/// Whether the dossier's clock runs (not paused for a supplement, not finished).
fn runs(dossier: &pb::Dossier) -> bool {
    let status = pb::DossierStatus::try_from(dossier.status).unwrap_or_default();
    ACTIVE.contains(&status) && status != pb::DossierStatus::SupplementRequested
}

/// A page of 50 dossiers as rows, and the token of the next page.
async fn list(
    web: &Web,
    session: &Session,
    page_token: String,
    filter: String,
    order_by: &str,
) -> Result<(Vec<Row>, String), PageError> {
    let ctx = session.context(LIST_DOSSIERS)?;
    let request = pb::ListDossiersRequest {
        page_size: 50,
        page_token,
        filter,
        order_by: order_by.to_string(),
    };
    let response = web.procedures().list_dossiers(&ctx, request).await?;
    Ok((rows(web, &response.dossiers).await?, response.next_page_token))
}

/// Việc của tôi: the dossiers the signed-in officer holds, soonest due first.
pub async fn mine(
    State(web): State<Web>,
    session: Session,
    Query(query): Query<ListQuery>,
) -> Result<Html<String>, PageError> {
    let filter = format!(
        "assignee = \"{}\" AND status != DOSSIER_STATUS_COMPLETED AND status != DOSSIER_STATUS_RETURNED \
         AND status != DOSSIER_STATUS_WITHDRAWN AND status != DOSSIER_STATUS_STOPPED",
        session.principal.name
    );
    let (rows, next_page) = list(&web, &session, query.trang.clone(), filter, "due_time").await?;
    web.pages().render(
        "dossiers.html",
        context! {
            frame => session.frame(),
            title => "Việc của tôi",
            heading => "Việc của tôi",
            mine => true,
            tabs => Vec::<minijinja::Value>::new(),
            loai => "",
            ma => "",
            rows,
            next_page,
        },
    )
}

pub async fn page(
    State(web): State<Web>,
    session: Session,
    Query(query): Query<ListQuery>,
) -> Result<Html<String>, PageError> {
    let tab = TABS
        .iter()
        .find(|(key, ..)| *key == query.loai)
        .ok_or_else(|| PageError::BadRequest("Không có danh sách này.".into()))?;
    let mut filter = vec![tab.2.to_string()];
    filter.extend(query.conditions()?);
    let filter = filter
        .into_iter()
        .filter(|f| !f.is_empty())
        .collect::<Vec<_>>()
        .join(" AND ");
    let (rows, next_page) = list(&web, &session, query.trang.clone(), filter, tab.3).await?;
    let tabs: Vec<_> = TABS
        .iter()
        .map(|(key, label, ..)| context! { key, label, current => *key == tab.0 })
        .collect();
    // The filters' choices: the published procedures, the person's units, the channels.
    let procedures: Vec<_> = super::receive::published(&web, &session)
        .await?
        .into_iter()
        .map(|(code, name)| context! { selected => code == query.thu_tuc.trim(), code, name })
        .collect();
    let mut names = Names::new(&web);
    let covered = session.covered_units(&web, 200).await;
    let units = super::fields::unit_choices(&mut names, covered, query.don_vi.trim()).await;
    let channels: Vec<_> = super::fields::CHANNELS
        .iter()
        .map(|(key, _, label)| context! { key, label, selected => *key == query.kenh })
        .collect();
    web.pages().render(
        "dossiers.html",
        context! {
            frame => session.frame(),
            title => "Hồ sơ",
            tab => tab.1,
            loai => tab.0,
            tabs,
            ma => query.ma,
            procedures,
            units,
            channels,
            tu_ngay => query.tu_ngay,
            den_ngay => query.den_ngay,
            filtered => query.filtered(),
            query => query.query_string(),
            rows,
            next_page,
        },
    )
}
