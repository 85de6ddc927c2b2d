//! What every part of the service shares: local dates, checks of users,
//! units and evidence links.

use chrono::{DateTime, NaiveDate, Utc};
use eiso_platform::aip::time::TIME_ZONE;
use eiso_platform::aip::{names, text};
use eiso_platform::{CallContext, ServiceError, ServiceResult, Violations};
use eiso_proto::eiso::procedures::v1::LocalDate;
use eiso_proto::eiso::quality::v1 as pb;
use sea_orm::sea_query::{Expr, ExprTrait, SimpleExpr};

use crate::Quality;

/// At most this many evidence links on one resource.
pub const MAX_EVIDENCE: usize = 50;

/// The date of `date`, or INVALID_ARGUMENT naming `field` (also when missing).
pub fn date_from_proto(date: Option<&LocalDate>, field: &str) -> ServiceResult<NaiveDate> {
    let date = date.ok_or_else(|| ServiceError::invalid(field, "is required"))?;
    eiso_platform::aip::time::date(date.year, date.month, date.day, field)
}

/// Like [`date_from_proto`], recording the problem in `v` instead.
/// A date a request may leave out.
pub fn check_date_opt(v: &mut Violations, date: Option<&LocalDate>, field: &str) -> Option<NaiveDate> {
    date.and_then(|d| check_date(v, Some(d), field))
}

/// When a step a request enters happened (`effective_date`, today when not
/// given) and why it is entered late (`reason`), not before `not_before`.
pub fn effective_step(
    date: Option<&LocalDate>,
    reason: &str,
    today: NaiveDate,
    not_before: Option<(NaiveDate, &str)>,
) -> ServiceResult<eiso_platform::effective::Effective> {
    let mut v = Violations::new();
    let day = check_date_opt(&mut v, date, "effective_date");
    let effective = eiso_platform::effective::Effective::check(
        &mut v,
        day,
        reason,
        today,
        ("effective_date", "reason"),
        not_before,
    );
    v.check()?;
    Ok(effective)
}

pub fn check_date(v: &mut Violations, date: Option<&LocalDate>, field: &str) -> Option<NaiveDate> {
    match date_from_proto(date, field) {
        Ok(date) => Some(date),
        Err(ServiceError::InvalidArgument(errors)) => {
            for e in errors {
                v.add(e.field, e.description);
            }
            None
        }
        Err(_) => None,
    }
}

/// A request's one required text field, cleaned; INVALID_ARGUMENT naming
/// `field` when it is missing or too long.
pub fn required_text(field: &str, value: &str, max_chars: usize) -> ServiceResult<String> {
    let mut v = Violations::new();
    let text = text::clean(&mut v, field, value, true, max_chars);
    v.check()?;
    Ok(text)
}

/// `YYYY-MM-DD`, which sorts and compares as the dates do.
pub fn date_key(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// `dd/mm/yyyy`, as Vietnamese documents write dates.
pub fn date_vi(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// The period's checks: both dates given, the end not before the start.
pub fn period(start: Option<&LocalDate>, end: Option<&LocalDate>) -> ServiceResult<(NaiveDate, NaiveDate)> {
    let mut v = Violations::new();
    let start = check_date(&mut v, start, "start_date");
    let end = check_date(&mut v, end, "end_date");
    if let (Some(s), Some(e)) = (start, end)
        && e < s
    {
        v.add("end_date", "must not be before start_date");
    }
    v.check()?;
    match (start, end) {
        (Some(s), Some(e)) => Ok((s, e)),
        _ => Err(ServiceError::internal("period checked but missing")),
    }
}

/// Records a violation for an enum field that is unset (when required) or unknown.
pub use eiso_platform::aip::enums::check as check_enum;

/// Records a violation if `name` is not a `collection/{id}` name.
pub fn check_name(v: &mut Violations, name: &str, collection: &str, field: &str) {
    if let Err(ServiceError::InvalidArgument(errors)) = names::parse(name, collection, field) {
        for e in errors {
            v.add(e.field, e.description);
        }
    }
}

/// Cleans a list of resource names: trimmed, each well-formed, no repeats.
pub fn clean_names(v: &mut Violations, items: &[String], collection: &str, field: &str, required: bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let item = item.trim().to_string();
        check_name(v, &item, collection, &format!("{field}[{i}]"));
        if out.contains(&item) {
            v.add(format!("{field}[{i}]"), format!("{item} is listed twice"));
        } else {
            out.push(item);
        }
    }
    if required && items.is_empty() {
        v.add(field, "needs at least one entry");
    }
    if items.len() > 500 {
        v.add(field, "has more than 500 entries");
    }
    out
}

/// An ISO 9001 clause number: `4` … `10` with optional `.n` parts, e.g. `7.5.3`.
pub fn clean_clause(v: &mut Violations, field: &str, value: &str, required: bool) -> String {
    let clause = text::clean(v, field, value, required, 20);
    if !clause.is_empty() {
        let parts: Vec<&str> = clause.split('.').collect();
        let valid = parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()))
            && parts
                .first()
                .and_then(|p| p.parse::<u32>().ok())
                .is_some_and(|n| (4..=10).contains(&n));
        if !valid {
            v.add(field, "must be an ISO 9001 clause number from 4 to 10, e.g. `7.5.3`");
        }
    }
    clause
}

pub fn eq(column: &'static str, value: impl Into<sea_orm::Value>) -> SimpleExpr {
    Expr::col(column).eq(value.into())
}

/// The local day of a stored instant.
pub fn local_date(time: Option<&eiso_proto::prost_types::Timestamp>) -> Option<NaiveDate> {
    let time = time?;
    let utc = DateTime::<Utc>::from_timestamp(time.seconds, 0)?;
    Some(utc.with_timezone(&TIME_ZONE).date_naive())
}

/// Today in the office's time zone.
pub fn today(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&TIME_ZONE).date_naive()
}

impl Quality {
    /// INVALID_ARGUMENT naming `field` unless `name` is an existing, active user.
    pub(crate) async fn check_user(&self, name: &str, field: &str) -> ServiceResult<()> {
        match self.directory.user(name).await? {
            Some(user) if user.active => Ok(()),
            Some(_) => Err(ServiceError::invalid(field, format!("{name} is deactivated"))),
            None => Err(ServiceError::invalid(field, format!("{name} does not exist"))),
        }
    }

    /// INVALID_ARGUMENT naming `field` unless `name` is an existing, active unit.
    pub(crate) async fn check_unit(&self, name: &str, field: &str) -> ServiceResult<()> {
        match self.directory.unit(name).await? {
            Some(unit) if unit.active => Ok(()),
            Some(_) => Err(ServiceError::precondition(
                "UNIT_NOT_ACTIVE",
                name,
                format!("{name} is merged or dissolved; use its successor"),
            )),
            None => Err(ServiceError::invalid(field, format!("{name} does not exist"))),
        }
    }

    /// Checks each evidence link through the services that own them, as the caller.
    pub(crate) async fn resolve_evidence(
        &self,
        ctx: &CallContext,
        items: &[String],
        field: &str,
    ) -> ServiceResult<Vec<pb::EvidenceLink>> {
        if items.len() > MAX_EVIDENCE {
            return Err(ServiceError::invalid(
                field,
                format!("has more than {MAX_EVIDENCE} links"),
            ));
        }
        let mut out: Vec<pb::EvidenceLink> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let name = item.trim();
            let field = format!("{field}[{i}]");
            if out.iter().any(|e| e.name == name) {
                return Err(ServiceError::invalid(field, format!("{name} is listed twice")));
            }
            let linked = self.links.resolve(ctx, name, &field).await?;
            out.push(pb::EvidenceLink {
                name: linked.name,
                kind: linked.kind,
                title: linked.title,
            });
        }
        Ok(out)
    }
}
