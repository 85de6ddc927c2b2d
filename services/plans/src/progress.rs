//! A task's progress in the order things happened, not the order they were
//! entered: an update entered late (its effective date before the day it
//! was recorded) takes its place among the others, so that the task's
//! current percent is the one that happened last and a report as at a
//! cut-off sees what had happened by then.

use chrono::{DateTime, NaiveDate, Utc};
use eiso_platform::aip::time::{proto_date, stored_instant, timestamp};
use eiso_proto::eiso::plans::v1 as pb;

use crate::convert::{date_from_proto, local_date};

/// The day an update happened: its effective date, or (for an update
/// recorded before effective dates existed) the local day it was recorded.
pub(crate) fn effective_day(update: &pb::ProgressUpdate) -> Option<NaiveDate> {
    match &update.effective_date {
        Some(day) => date_from_proto(day, "effective_date").ok(),
        None => update.time.as_ref().and_then(stored_instant).map(local_date),
    }
}

/// The updates in the order they happened: by effective day, then by when
/// they were recorded.
pub(crate) fn in_order(task: &pb::Task) -> Vec<&pb::ProgressUpdate> {
    let mut updates: Vec<(usize, &pb::ProgressUpdate)> = task.progress.iter().enumerate().collect();
    updates.sort_by_key(|(entered, update)| (effective_day(update), *entered));
    updates.into_iter().map(|(_, update)| update).collect()
}

/// The updates that had happened by the end of `day`, in order.
pub(crate) fn by(task: &pb::Task, day: NaiveDate) -> Vec<&pb::ProgressUpdate> {
    in_order(task)
        .into_iter()
        .filter(|update| effective_day(update).is_some_and(|d| d <= day))
        .collect()
}

/// The day a task was done, when its updates end at 100%: the effective day
/// of the first update of that final run at 100% (a later "100%, report
/// filed" does not move it).
fn done_day(updates: &[&pb::ProgressUpdate]) -> Option<NaiveDate> {
    let run = updates.iter().rev().take_while(|u| u.percent == 100).count();
    if run == 0 {
        return None;
    }
    effective_day(updates[updates.len() - run])
}

/// Sets the task's percent, status and completion from its updates, after
/// one was added at `now`. A cancelled task keeps its status.
pub(crate) fn settle(task: &mut pb::Task, now: DateTime<Utc>) {
    let updates = in_order(task);
    let percent = updates.last().map_or(0, |u| u.percent);
    let done = done_day(&updates);
    task.progress_percent = percent;
    if task.status == pb::TaskStatus::Cancelled as i32 {
        return;
    }
    match done {
        Some(day) => {
            if task.status != pb::TaskStatus::Done as i32 || task.complete_time.is_none() {
                task.complete_time = Some(timestamp(now));
            }
            task.status = pb::TaskStatus::Done as i32;
            task.complete_date = Some(proto_date(day));
        }
        None => {
            task.complete_time = None;
            task.complete_date = None;
            task.status = if percent > 0 {
                pb::TaskStatus::InProgress as i32
            } else {
                pb::TaskStatus::NotStarted as i32
            };
        }
    }
}

/// The day a done task was done, if by the end of `day`: the effective day
/// its progress reached 100%, or the day it was marked done.
pub(crate) fn done_by(task: &pb::Task, day: NaiveDate) -> Option<NaiveDate> {
    if task.status != pb::TaskStatus::Done as i32 {
        return None;
    }
    task.complete_date
        .as_ref()
        .and_then(|d| date_from_proto(d, "complete_date").ok())
        .or_else(|| task.complete_time.as_ref().and_then(stored_instant).map(local_date))
        .filter(|done| *done <= day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn update(percent: i32, recorded: (u32, u32), effective: Option<(u32, u32)>) -> pb::ProgressUpdate {
        let at = Utc
            .with_ymd_and_hms(2024, recorded.0, recorded.1, 3, 0, 0)
            .single()
            .expect("a time of 2024");
        pb::ProgressUpdate {
            percent,
            note: String::new(),
            time: Some(timestamp(at)),
            author: "users/a".into(),
            effective_date: effective.map(|(m, d)| proto_date(day(m, d))),
            reason: String::new(),
        }
    }

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, m, d).expect("a day of 2024")
    }

    #[test]
    fn a_late_entry_takes_its_place_among_the_updates() {
        let now = Utc
            .with_ymd_and_hms(2024, 4, 20, 3, 0, 0)
            .single()
            .expect("a time of 2024");
        let mut task = pb::Task {
            progress: vec![update(60, (4, 10), None)],
            ..Default::default()
        };
        settle(&mut task, now);
        assert_eq!(
            (task.progress_percent, task.status),
            (60, pb::TaskStatus::InProgress as i32)
        );
        // Entered on 20 April: 30% on 15 March. The current percent stays 60.
        task.progress.push(update(30, (4, 20), Some((3, 15))));
        settle(&mut task, now);
        assert_eq!(task.progress_percent, 60);
        // As at the Q1 cut-off (25 March) the task stood at 30%; before 15 March, at nothing.
        assert_eq!(by(&task, day(3, 25)).last().map(|u| u.percent), Some(30));
        assert!(by(&task, day(3, 14)).is_empty());
        // Done on 18 April, entered on the 20th: done on the 18th, not when entered.
        task.progress.push(update(100, (4, 20), Some((4, 18))));
        settle(&mut task, now);
        assert_eq!(task.status, pb::TaskStatus::Done as i32);
        assert_eq!(task.complete_date, Some(proto_date(day(4, 18))));
        assert_eq!(done_by(&task, day(4, 17)), None);
        assert_eq!(done_by(&task, day(4, 30)), Some(day(4, 18)));
        // A later 100% does not move the day it was done.
        task.progress.push(update(100, (4, 25), None));
        settle(&mut task, now);
        assert_eq!(task.complete_date, Some(proto_date(day(4, 18))));
        // Reopened: a later update below 100%.
        task.progress.push(update(80, (4, 26), None));
        settle(&mut task, now);
        assert_eq!(
            (task.status, task.complete_date, task.complete_time),
            (pb::TaskStatus::InProgress as i32, None, None)
        );
    }
}
