//! Trang chính: where each person starts.

use axum::extract::State;
use axum::response::Html;
use minijinja::context;

use crate::Web;
use crate::error::PageError;
use crate::session::Session;

pub async fn page(State(web): State<Web>, session: Session) -> Result<Html<String>, PageError> {
    let offer_demo = super::demo::offered(&web, &session).await?;
    web.pages().render(
        "home.html",
        context! {
            frame => session.frame(),
            title => "Trang chính",
            offer_demo,
            portal => web.sync().is_some(),
            notifying => web.notifications().is_some(),
        },
    )
}
