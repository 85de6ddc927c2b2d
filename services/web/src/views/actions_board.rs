//! Hành động khắc phục: the corrective actions the person may read as a
//! board — open, planned, carried out (waiting for their effectiveness to
//! be verified), not effective, closed — each with its nonconformity, unit,
//! due date and the day of its last step, the overdue ones in red.

use axum::extract::{Query, State};
use axum::response::Html;
use chrono::NaiveDate;
use eiso_proto::eiso::quality::v1::{self as pb, corrective_action::State as ActionState};
use eiso_proto::labels::Label;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::every_page::every_page;
use super::methods::LIST_CORRECTIVE_ACTIONS;
use crate::error::PageError;
use crate::names::Names;
use crate::session::Session;
use crate::{Web, format};

/// The board's columns, in the order an action moves through them.
const COLUMNS: &[(&str, &[ActionState])] = &[
    ("Mới mở", &[ActionState::Open]),
    ("Đã lập kế hoạch", &[ActionState::ActionsPlanned]),
    ("Đã thực hiện, chờ kiểm tra hiệu lực", &[ActionState::Implemented]),
    ("Chưa hiệu lực, lập lại kế hoạch", &[ActionState::NotEffective]),
    (
        "Đã kiểm tra, đóng",
        &[ActionState::VerifiedEffective, ActionState::Closed],
    ),
];

#[derive(Deserialize, Default)]
pub struct BoardQuery {
    /// Unit, `units/{id}`.
    #[serde(default)]
    don_vi: String,
}

#[derive(Serialize)]
struct Card {
    href: String,
    nonconformity: String,
    unit: String,
    due: String,
    overdue: bool,
    state: String,
    last_step: String,
}

// The quality pages take these from here; they live in `format`.
pub(super) use crate::format::{day, day_text};

/// Whether an action is overdue today: due, and not yet carried out.
fn overdue(action: &pb::CorrectiveAction, today: NaiveDate) -> bool {
    let state = ActionState::try_from(action.state).unwrap_or_default();
    matches!(
        state,
        ActionState::Open | ActionState::ActionsPlanned | ActionState::NotEffective
    ) && day(action.due_date.as_ref()).is_some_and(|due| due < today)
}

pub async fn page(
    State(web): State<Web>,
    session: Session,
    Query(query): Query<BoardQuery>,
) -> Result<Html<String>, PageError> {
    let unit = query.don_vi.trim();
    if !unit.is_empty() && !super::fields::is_unit_name(unit) {
        return Err(PageError::BadRequest("Bộ lọc không hợp lệ: đơn vị.".into()));
    }
    let ctx = session.context(LIST_CORRECTIVE_ACTIONS)?;
    // A board shows every action; a thousand a page, ten pages at most.
    let actions = every_page(10, |page_token| {
        let request = pb::ListCorrectiveActionsRequest {
            page_size: 1000,
            page_token,
            filter: if unit.is_empty() {
                String::new()
            } else {
                format!("unit = \"{unit}\"")
            },
            order_by: "due_date".into(),
        };
        let ctx = &ctx;
        let web = &web;
        async move {
            web.quality()
                .list_corrective_actions(ctx, request)
                .await
                .map(|answer| (answer.corrective_actions, answer.next_page_token))
        }
    })
    .await?;
    let today = super::plans::today(&web);
    let mut names = Names::new(&web);
    let mut columns = Vec::new();
    let mut overdue_count = 0;
    for (title, states) in COLUMNS {
        let mut cards = Vec::new();
        for action in actions.iter().filter(|a| states.iter().any(|s| *s as i32 == a.state)) {
            let state = ActionState::try_from(action.state).unwrap_or_default();
            let late = overdue(action, today);
            overdue_count += usize::from(late);
            let last_step = [
                ("đóng", &action.close_date),
                ("thực hiện", &action.implement_date),
                ("lập kế hoạch", &action.plan_date),
                ("mở", &action.open_date),
            ]
            .iter()
            .find_map(|(what, date)| day(date.as_ref()).map(|_| format!("{what} {}", day_text(date.as_ref()))))
            .unwrap_or_default();
            cards.push(Card {
                href: super::action::href(&action.name),
                nonconformity: action.nonconformity.clone(),
                unit: names.unit(&action.unit).await,
                due: day_text(action.due_date.as_ref()),
                overdue: late,
                state: state.label_vi().into(),
                last_step,
            });
        }
        columns.push(context! { title, count => cards.len(), cards });
    }
    let covered = session.covered_units(&web, 200).await;
    let units = super::fields::unit_choices(&mut names, covered, unit).await;
    web.pages().render(
        "actions_board.html",
        context! {
            frame => session.frame(),
            title => "Hành động khắc phục",
            columns,
            units,
            overdue_count,
            total => actions.len(),
            updated => format::datetime(web.clock().now()),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_action_is_overdue_until_it_is_carried_out() {
        let today = NaiveDate::from_ymd_opt(2024, 7, 1).expect("a day");
        let action = |state: ActionState| pb::CorrectiveAction {
            state: state as i32,
            due_date: Some(eiso_proto::eiso::procedures::v1::LocalDate {
                year: 2024,
                month: 6,
                day: 20,
            }),
            ..Default::default()
        };
        assert!(overdue(&action(ActionState::ActionsPlanned), today));
        assert!(overdue(&action(ActionState::Open), today));
        assert!(!overdue(&action(ActionState::Implemented), today));
        assert!(!overdue(&action(ActionState::Closed), today));
        assert!(!overdue(&pb::CorrectiveAction::default(), today), "no due date");
    }
}
