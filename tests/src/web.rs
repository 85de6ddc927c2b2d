//! What the web pages' tests share: the addresses of a dossier, a list's
//! next page, a signed-in person with their name or token, the one rule of
//! who reads a unit's pages, and who a trail says did a call.

use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::procedures::v1::Dossier;

use crate::TestServer;
use crate::browser::{Browser, Page};

/// The dossier's id in the web's addresses (`/ho-so/{id}`).
pub fn id_of(dossier: &Dossier) -> &str {
    dossier.name.trim_start_matches("dossiers/")
}

/// The address of a list's "Trang sau", as a browser follows it.
pub fn next_page(page: &Page) -> Option<String> {
    page.body
        .split(r#"<a class="button secondary" href=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|next| next.replace("&amp;", "&"))
}

/// The one rule of the unit scoping, as four people's rows: `(who, unit,
/// sees)` for one bound at `same` (the unit of what is read), at an
/// `ancestor` of it (both see), at a `descendant` and at a `sibling` (neither).
pub fn scoped_readers<'a>(
    same: &'a str,
    ancestor: &'a str,
    descendant: &'a str,
    sibling: &'a str,
) -> [(&'static str, &'a str, bool); 4] {
    [
        ("same", same, true),
        ("ancestor", ancestor, true),
        ("descendant", descendant, false),
        ("sibling", sibling, false),
    ]
}

impl TestServer {
    /// A browser signed in to the web app as `username`, an existing user
    /// whose password is `{username}-password` (as the fixtures make them),
    /// or the system's administrator (`admin`).
    pub async fn browser_of(&self, username: &str) -> Browser {
        let password = if username == "admin" {
            crate::ADMIN_PASSWORD.to_string()
        } else {
            format!("{username}-password")
        };
        let mut browser = Browser::new(self.addr);
        browser.sign_in(username, &password).await;
        browser
    }

    /// A browser signed in to the web app as a new user `username` with
    /// `role` in `unit`, and the user's name (`users/{id}`).
    pub async fn signed_in_as(&self, username: &str, role: Role, unit: &str) -> (String, Browser) {
        let (user, _) = self.user_with_role(username, role, unit).await;
        (user.name, self.browser_of(username).await)
    }

    /// A browser signed in to the web app as a new user `username` with
    /// `role` in `unit`, and the user's token for the API.
    pub async fn signed_in_with_token(&self, username: &str, role: Role, unit: &str) -> (String, Browser) {
        let (_, token) = self.user_with_role(username, role, unit).await;
        (token, self.browser_of(username).await)
    }

    /// Who made the successful calls of `method` (`…/ResendDossierSync`:
    /// its name's end) on `resource`, as the trail `trail` (`trails/…`) has
    /// them, in order.
    pub async fn actors_of(&self, trail: &str, resource: &str, method: &str) -> Vec<String> {
        let entries = self.audit_entries(trail, &format!("resource = \"{resource}\"")).await;
        entries
            .into_iter()
            .filter(|e| e.method.ends_with(method) && e.code == 0)
            .map(|e| e.actor)
            .collect()
    }
}
