//! Early / on time / late (trước hạn / đúng hạn / quá hạn).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::local_time;

/// How a dossier was resolved relative to its due time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Completed on an earlier local calendar date than the due date (trước hạn).
    Early,
    /// Completed on the due date, at or before the due time (đúng hạn).
    OnTime,
    /// Completed after the due time (quá hạn).
    Late,
}

/// Classifies a completion against a due time (DOMAIN.md): late if completed after the due
/// time; early if completed on an earlier local (Asia/Ho_Chi_Minh) calendar date than the due
/// date; otherwise on time.
///
/// `due` must be the *original* due time. An extension (form 04: apology and a new
/// appointment, allowed once) changes the appointment given to the applicant but not the due
/// time used for the KPI: a dossier completed after its original due time is late even if it
/// meets the new appointment.
pub fn classify(completed: DateTime<Utc>, due: DateTime<Utc>) -> Outcome {
    if completed > due {
        Outcome::Late
    } else if local_time(completed).date() < local_time(due).date() {
        Outcome::Early
    } else {
        Outcome::OnTime
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;
    use crate::calendar::test_util::at;

    #[test]
    fn late_after_the_due_time() {
        let due = at(2024, 3, 5, 8, 0);
        assert_eq!(classify(due + TimeDelta::seconds(1), due), Outcome::Late);
        assert_eq!(classify(at(2024, 3, 5, 16, 0), due), Outcome::Late);
        assert_eq!(classify(at(2024, 3, 8, 9, 0), due), Outcome::Late);
    }

    #[test]
    fn on_time_on_the_due_date() {
        let due = at(2024, 3, 5, 17, 0);
        assert_eq!(classify(due, due), Outcome::OnTime);
        assert_eq!(classify(at(2024, 3, 5, 7, 0), due), Outcome::OnTime);
        assert_eq!(classify(at(2024, 3, 5, 0, 0), due), Outcome::OnTime);
    }

    #[test]
    fn early_on_an_earlier_local_date() {
        let due = at(2024, 3, 5, 17, 0);
        assert_eq!(classify(at(2024, 3, 4, 23, 59), due), Outcome::Early);
        assert_eq!(classify(at(2024, 2, 1, 9, 0), due), Outcome::Early);
    }

    #[test]
    fn dates_are_local_not_utc() {
        // Due Tue 5/3/2024 07:00 local = 00:00 UTC on 5/3. Completed Tue 06:30 local is
        // 23:30 UTC on 4/3: an earlier UTC date, but the same local date → on time.
        let due = at(2024, 3, 5, 7, 0);
        let completed = at(2024, 3, 5, 6, 30);
        assert_eq!(completed.date_naive().to_string(), "2024-03-04");
        assert_eq!(classify(completed, due), Outcome::OnTime);
        // Due Mon 4/3 08:00 local (01:00 UTC); completed Sun 3/3 23:30 local (16:30 UTC on 3/3)
        // is on an earlier local date → early; completed Mon 06:00 local (23:00 UTC on 3/3)
        // is on an earlier UTC date but the same local date → on time.
        let due = at(2024, 3, 4, 8, 0);
        assert_eq!(classify(at(2024, 3, 3, 23, 30), due), Outcome::Early);
        assert_eq!(classify(at(2024, 3, 4, 6, 0), due), Outcome::OnTime);
    }

    #[test]
    fn labels_and_serde() {
        use eiso_proto::labels::Label;
        let label = |outcome| crate::convert::outcome_to_proto(outcome).label_vi();
        assert_eq!(label(Outcome::Early), "Trước hạn");
        assert_eq!(label(Outcome::OnTime), "Đúng hạn");
        assert_eq!(label(Outcome::Late), "Quá hạn");
        assert_eq!(serde_json::to_string(&Outcome::OnTime).expect("json"), r#""on_time""#);
    }
}
