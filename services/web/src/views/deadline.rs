//! Cách tính hạn: a dossier's deadline told as the clerk would explain it to
//! the applicant — when the clock started and why, each stretch it ran, each
//! wait for a supplement and the procedure's rule after it, and the days that
//! did not count (or counted although a weekend). The facts are the
//! calendar's ([`eiso_procedures::calendar::Explanation`]); only the words
//! are here.

use chrono::{DateTime, Datelike, Utc};
use eiso_platform::aip::time::TIME_ZONE;
use eiso_procedures::calendar::{Deadline, Explanation, SupplementMode};
use eiso_proto::eiso::procedures::v1 as pb;
use eiso_proto::labels::Label;
use serde::Serialize;

use crate::format;

/// The account as lines of text, and the days it names.
#[derive(Debug, Serialize)]
pub struct Account {
    pub lines: Vec<String>,
    pub days_off: Vec<String>,
    pub worked_days: Vec<String>,
    pub weekend_days: usize,
    pub rule: Option<String>,
}

/// `05/03/2025 14:30 (Thứ Tư)`.
fn when(instant: DateTime<Utc>) -> String {
    let local = instant.with_timezone(&TIME_ZONE);
    let weekday = eiso_procedures::weekday_to_proto(local.weekday());
    format!("{} ({})", format::datetime(instant), weekday.label_vi())
}

pub fn account(e: &Explanation) -> Account {
    let amount = |time| format::working_duration(time, e.working_day);
    let mut lines = vec![format!(
        "Thời hạn giải quyết theo quy định: {} làm việc.",
        amount(e.budget)
    )];
    for (i, stretch) in e.stretches.iter().enumerate() {
        let mut line = if i == 0 {
            format!("Tiếp nhận lúc {}.", when(stretch.received))
        } else {
            let rule = match e.mode {
                SupplementMode::Restart => "thời hạn tính lại từ đầu",
                SupplementMode::Pause => "thời hạn tiếp tục với thời gian còn lại",
            };
            format!(
                "Nhận đủ hồ sơ bổ sung lúc {}: {rule}, còn {} làm việc.",
                when(stretch.received),
                amount(stretch.budget)
            )
        };
        if stretch.counted_from != stretch.received {
            line.push_str(&format!(
                " Bắt đầu tính từ {}, giờ làm việc đầu tiên sau đó.",
                when(stretch.counted_from)
            ));
        }
        match stretch.until {
            Some(until) if stretch.suspended && until <= stretch.counted_from => line.push_str(&format!(
                " Yêu cầu bổ sung hồ sơ lúc {}, trước khi bắt đầu tính: chưa dùng thời gian nào.",
                when(until)
            )),
            Some(until) if stretch.suspended => {
                line.push_str(&format!(" Dừng tính lúc {}: yêu cầu bổ sung hồ sơ.", when(until)))
            }
            Some(until) => line.push_str(&format!(
                " Hết {} làm việc lúc {}: hạn giải quyết.",
                amount(stretch.budget),
                when(until)
            )),
            None => {}
        }
        lines.push(line);
    }
    if let Deadline::Suspended { since, remaining } = e.deadline {
        lines.push(format!(
            "Đang chờ người nộp bổ sung hồ sơ từ {}: chưa có hạn giải quyết; khi nhận đủ hồ sơ, còn {} làm việc.",
            when(since),
            amount(remaining)
        ));
    }
    let day = |d: &eiso_procedures::calendar::NotedDay| format!("{} ({})", d.date.format("%d/%m/%Y"), d.label);
    let rule = (e.stretches.len() > 1 || matches!(e.deadline, Deadline::Suspended { .. })).then(|| {
        let mode = match e.mode {
            SupplementMode::Restart => pb::SupplementMode::Restart,
            SupplementMode::Pause => pb::SupplementMode::Pause,
        };
        format!(
            "Quy tắc khi bổ sung hồ sơ của thủ tục này: {}.",
            mode.label_vi().to_lowercase()
        )
    });
    Account {
        lines,
        days_off: e.days.iter().filter(|d| !d.worked).map(day).collect(),
        worked_days: e.days.iter().filter(|d| d.worked).map(day).collect(),
        weekend_days: e.weekend_days,
        rule,
    }
}
