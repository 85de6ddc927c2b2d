//! What changed between two issues of a report, one Vietnamese line each:
//! what a re-issue says it changed (`ReportRevision.changes`), printed on
//! the re-issued page.

use eiso_platform::vi::{self, Zeros};
use eiso_proto::eiso::plans::v1 as pb;
use eiso_proto::labels::Label;

fn status_of<E: Label>(value: i32) -> String {
    E::label_vi_of(value).unwrap_or_default().to_lowercase()
}

/// The lines saying how `after` differs from `before` in what the report
/// counts (tasks, targets, dossier figures); empty when nothing does.
pub(crate) fn changes(before: &pb::Report, after: &pb::Report) -> Vec<String> {
    let mut lines = Vec::new();
    for task in &after.tasks {
        if task.section {
            continue;
        }
        let Some(old) = before.tasks.iter().find(|t| t.task == task.task) else {
            lines.push(format!("Nhiệm vụ {}: mới trong báo cáo", task.number));
            continue;
        };
        if (old.percent, old.status, old.late) == (task.percent, task.status, task.late) {
            continue;
        }
        let mut line = format!("Nhiệm vụ {}: {}% → {}%", task.number, old.percent, task.percent);
        if old.status != task.status {
            line += &format!(
                ", {} → {}",
                status_of::<pb::TaskStatus>(old.status),
                status_of::<pb::TaskStatus>(task.status)
            );
        }
        if old.late != task.late {
            line += if task.late {
                ", nay chậm tiến độ"
            } else {
                ", nay không còn chậm"
            };
        }
        lines.push(line);
    }
    for target in &after.targets {
        let number = target.target.as_ref().map(|t| t.number.as_str()).unwrap_or_default();
        let Some(old) = before
            .targets
            .iter()
            .find(|t| t.target.as_ref().map(|t| t.number.as_str()) == Some(number))
        else {
            continue;
        };
        if (old.numerator, old.denominator, old.status) == (target.numerator, target.denominator, target.status) {
            continue;
        }
        let mut line = format!(
            "Chỉ tiêu {number}: {}/{} ({}%) → {}/{} ({}%)",
            old.numerator,
            old.denominator,
            vi::decimal(old.percent, 2, Zeros::Dropped),
            target.numerator,
            target.denominator,
            vi::decimal(target.percent, 2, Zeros::Dropped)
        );
        if old.status != target.status {
            line += &format!(
                ", {} → {}",
                status_of::<pb::TargetStatus>(old.status),
                status_of::<pb::TargetStatus>(target.status)
            );
        }
        lines.push(line);
    }
    let (old, new) = (before.dossiers.unwrap_or_default(), after.dossiers.unwrap_or_default());
    let figures: [(&str, i64, i64); 9] = [
        ("tồn kỳ trước chuyển sang", old.carried_over, new.carried_over),
        ("tiếp nhận trong kỳ", old.received, new.received),
        ("giải quyết trước hạn", old.early, new.early),
        ("giải quyết đúng hạn", old.on_time, new.on_time),
        ("giải quyết quá hạn", old.late, new.late),
        (
            "rút hoặc dừng xử lý",
            old.withdrawn_or_stopped,
            new.withdrawn_or_stopped,
        ),
        ("đang giải quyết trong hạn", old.in_progress, new.in_progress),
        ("đang giải quyết quá hạn", old.overdue, new.overdue),
        ("được đánh giá", old.rated, new.rated),
    ];
    for (what, was, is) in figures {
        if was != is {
            lines.push(format!("Hồ sơ {what}: {was} → {is}"));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_changed_is_said() {
        let task = |percent: i32, status: pb::TaskStatus| pb::TaskProgress {
            task: "plans/p/tasks/t".into(),
            number: "1.2".into(),
            percent,
            status: status as i32,
            ..Default::default()
        };
        let report = |percent, status, received| pb::Report {
            tasks: vec![task(percent, status)],
            dossiers: Some(pb::DossierFigures {
                received,
                ..Default::default()
            }),
            ..Default::default()
        };
        let before = report(30, pb::TaskStatus::InProgress, 12);
        assert!(changes(&before, &before).is_empty());
        assert_eq!(
            changes(&before, &report(100, pb::TaskStatus::Done, 13)),
            [
                "Nhiệm vụ 1.2: 30% → 100%, đang thực hiện → đã hoàn thành",
                "Hồ sơ tiếp nhận trong kỳ: 12 → 13"
            ]
        );
    }
}
