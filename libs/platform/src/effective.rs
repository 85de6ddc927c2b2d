//! The day something happened, as a request that enters it may say: things
//! happen before they are entered (a task's progress, a corrective action's
//! steps). A request carries an optional effective date and a reason; the
//! day defaults to today, may not be after it nor before the step it
//! follows, and needs the reason when it is earlier than today. The audit
//! trail keeps both: the entry's own time and actor, and, in its reason,
//! `effective YYYY-MM-DD: why`.

use chrono::NaiveDate;

use crate::aip::text;
use crate::{CallContext, Violations};

/// The longest reason kept.
const MAX_REASON: usize = 2000;

/// When the thing a request enters happened, and why it is entered late.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effective {
    /// The day it happened (local).
    pub day: NaiveDate,
    /// Why it is entered after that day; empty when entered on it.
    pub reason: String,
    late: bool,
}

impl Effective {
    /// Checks a request's `day` (today when `None`) and `reason` against
    /// `today` and the day of the step it follows (`not_before`, named in
    /// the message as `after_what`), recording what is wrong in `v` under
    /// `day_field` and `reason_field`.
    pub fn check(
        v: &mut Violations,
        day: Option<NaiveDate>,
        reason: &str,
        today: NaiveDate,
        fields: (&str, &str),
        not_before: Option<(NaiveDate, &str)>,
    ) -> Self {
        let (day_field, reason_field) = fields;
        let day = day.unwrap_or(today);
        if day > today {
            v.add(day_field, "must not be after today");
        }
        if let Some((earliest, what)) = not_before
            && day < earliest
        {
            v.add(day_field, format!("must not be before {what} ({earliest})"));
        }
        let late = day < today;
        let reason = text::clean(v, reason_field, reason, late, MAX_REASON);
        if day == today && !reason.is_empty() {
            v.add(
                reason_field,
                format!("is only for what is entered after the day it happened ({day_field})"),
            );
        }
        Self { day, reason, late }
    }

    /// Whether it is entered after the day it happened.
    pub fn is_late(&self) -> bool {
        self.late
    }

    /// `ctx` with the audit reason of a late entry (`effective YYYY-MM-DD:
    /// why`); unchanged for an entry made on the day.
    pub fn audited(&self, ctx: &CallContext) -> CallContext {
        if self.late {
            ctx.clone()
                .with_reason(&format!("effective {}: {}", self.day, self.reason))
        } else {
            ctx.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, m, d).expect("a day of 2024")
    }

    fn fields(v: Violations) -> Vec<String> {
        match v.check() {
            Err(crate::ServiceError::InvalidArgument(errors)) => errors.into_iter().map(|e| e.field).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn the_day_defaults_to_today_and_a_late_one_needs_a_reason() {
        let today = day(4, 22);
        let check = |d: Option<NaiveDate>, reason: &str, not_before: Option<(NaiveDate, &str)>| {
            let mut v = Violations::new();
            let effective = Effective::check(&mut v, d, reason, today, ("effective_date", "reason"), not_before);
            (effective, fields(v))
        };
        let (on_the_day, wrong) = check(None, "", None);
        assert_eq!((on_the_day.day, on_the_day.is_late(), wrong), (today, false, vec![]));
        let (late, wrong) = check(Some(day(3, 20)), " nhập muộn ", None);
        assert_eq!(
            (late.reason.as_str(), late.is_late(), wrong),
            ("nhập muộn", true, vec![])
        );
        assert_eq!(check(Some(day(3, 20)), "", None).1, ["reason"]);
        assert_eq!(check(Some(day(4, 23)), "", None).1, ["effective_date"]);
        assert_eq!(check(None, "vì sao", None).1, ["reason"]);
        assert_eq!(
            check(
                Some(day(3, 20)),
                "nhập muộn",
                Some((day(3, 21), "the day it was planned"))
            )
            .1,
            ["effective_date"]
        );
        let ctx = CallContext::system("/x.v1.S/M");
        assert_eq!(late.audited(&ctx).reason, "effective 2024-03-20: nhập muộn");
        assert_eq!(on_the_day.audited(&ctx).reason, "");
    }
}
