//! Rendering: one minijinja environment (the project's HTML environment:
//! autoescape, no debug detail) with the app's templates built in, each
//! replaceable by a file of the same name in `data/templates/web/`, and the
//! headers every page carries.

use std::path::Path;
use std::sync::Arc;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use eiso_platform::templates;
use http::HeaderValue;
use http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS};
use minijinja::Environment;
use serde::Serialize;

use crate::format;

/// The app's templates, by name.
const BUILTIN: &[(&str, &str)] = &[
    ("layout.html", include_str!("templates/layout.html")),
    ("macros.html", include_str!("templates/macros.html")),
    ("error.html", include_str!("templates/error.html")),
    ("sign_in.html", include_str!("templates/sign_in.html")),
    ("home.html", include_str!("templates/home.html")),
    ("dossiers.html", include_str!("templates/dossiers.html")),
    ("dossier.html", include_str!("templates/dossier.html")),
    ("receive.html", include_str!("templates/receive.html")),
    ("receipt.html", include_str!("templates/receipt.html")),
    ("lookup.html", include_str!("templates/lookup.html")),
    ("dashboard.html", include_str!("templates/dashboard.html")),
    ("refuse.html", include_str!("templates/refuse.html")),
    ("password.html", include_str!("templates/password.html")),
    ("demo.html", include_str!("templates/demo.html")),
    ("search.html", include_str!("templates/search.html")),
    ("documents.html", include_str!("templates/documents.html")),
    ("document.html", include_str!("templates/document.html")),
    ("document_new.html", include_str!("templates/document_new.html")),
    ("reviews.html", include_str!("templates/reviews.html")),
    ("records.html", include_str!("templates/records.html")),
    ("record.html", include_str!("templates/record.html")),
    ("trail.html", include_str!("templates/trail.html")),
    ("plans.html", include_str!("templates/plans.html")),
    ("plan.html", include_str!("templates/plan.html")),
    ("plan_import.html", include_str!("templates/plan_import.html")),
    ("task.html", include_str!("templates/task.html")),
    ("targets.html", include_str!("templates/targets.html")),
    ("actions_board.html", include_str!("templates/actions_board.html")),
    ("audits.html", include_str!("templates/audits.html")),
    ("audit.html", include_str!("templates/audit.html")),
    ("action.html", include_str!("templates/action.html")),
    ("diagnostics.html", include_str!("templates/diagnostics.html")),
    ("diagnostic.html", include_str!("templates/diagnostic.html")),
    ("inspections.html", include_str!("templates/inspections.html")),
    ("review_packs.html", include_str!("templates/review_packs.html")),
    ("admin_unit.html", include_str!("templates/admin_unit.html")),
    ("admin_units.html", include_str!("templates/admin_units.html")),
    ("admin_users.html", include_str!("templates/admin_users.html")),
    ("admin_clients.html", include_str!("templates/admin_clients.html")),
    ("admin_calendar.html", include_str!("templates/admin_calendar.html")),
    ("admin_catalogue.html", include_str!("templates/admin_catalogue.html")),
    ("admin_sync.html", include_str!("templates/admin_sync.html")),
    (
        "admin_notifications.html",
        include_str!("templates/admin_notifications.html"),
    ),
    (
        "procedure_options.html",
        include_str!("templates/procedure_options.html"),
    ),
];

/// The compiled templates.
#[derive(Clone)]
pub struct Pages {
    env: Arc<Environment<'static>>,
}

impl Pages {
    /// The built-in templates.
    pub fn builtin() -> Self {
        Self {
            env: Arc::new(Self::environment()),
        }
    }

    /// The built-in templates, each replaced by `<dir>/<name>` where that file
    /// exists. A template that does not compile is reported now, with its file.
    pub fn with_overrides(dir: &Path) -> Result<Self, String> {
        let mut env = Self::environment();
        for (name, _) in BUILTIN {
            let path = dir.join(name);
            let source = templates::read_override(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            if let Some(source) = source {
                env.add_template_owned(*name, source)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
            }
        }
        Ok(Self { env: Arc::new(env) })
    }

    fn environment() -> Environment<'static> {
        let mut env = templates::environment();
        for (name, source) in BUILTIN {
            templates::add_builtin(&mut env, name, source);
        }
        env.add_filter("datetime", format::datetime_filter);
        env.add_filter("date", format::date_filter);
        env.add_global("asset_version", crate::assets::version());
        env
    }

    /// Renders `name` with `context`; a template that fails is an internal
    /// error of the page (logged), never a half page.
    pub fn render<S: Serialize>(&self, name: &str, context: S) -> Result<Html<String>, crate::error::PageError> {
        self.env
            .get_template(name)
            .and_then(|template| template.render(context))
            .map(Html)
            .map_err(|error| crate::error::PageError::Internal(format!("template {name}: {error}")))
    }
}

/// The headers of every response of the app: a strict content security policy
/// (our own scripts and styles only, no inline script), no framing, no MIME
/// sniffing, no referrer to other sites, and no caching of pages that hold
/// personal data.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let is_asset = request.uri().path().starts_with("/static/");
    let mut response = next.run(request).await.into_response();
    let headers = response.headers_mut();
    // A page that set its own policy (a printable form) keeps it.
    if !headers.contains_key(CONTENT_SECURITY_POLICY) {
        headers.insert(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                 form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
            ),
        );
        headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !is_asset && !headers.contains_key(CACHE_CONTROL) {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_templates_compile() {
        let pages = Pages::builtin();
        for (name, _) in BUILTIN {
            assert!(pages.env.get_template(name).is_ok(), "{name}");
        }
        // Every file of templates/ is built in (a new page's template
        // forgotten here would fail only when the page is opened).
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/templates");
        for entry in std::fs::read_dir(dir).expect("templates/") {
            let file = entry.expect("entry").file_name().to_string_lossy().to_string();
            assert!(BUILTIN.iter().any(|(name, _)| *name == file), "{file} is not built in");
        }
    }

    #[test]
    fn an_override_replaces_its_template_and_a_broken_one_is_named() {
        let dir = std::env::temp_dir().join(format!("eiso-web-pages-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        std::fs::write(dir.join("error.html"), "<p>{{ title }}</p>").expect("written");
        let pages = Pages::with_overrides(&dir).expect("the override compiles");
        let html = pages
            .render("error.html", minijinja::context! { title => "Lỗi" })
            .expect("renders");
        assert_eq!(html.0, "<p>Lỗi</p>");

        std::fs::write(dir.join("home.html"), "{% if %}").expect("written");
        let error = Pages::with_overrides(&dir).err().expect("a broken override is refused");
        assert!(error.contains("home.html"), "{error}");
        std::fs::remove_dir_all(&dir).expect("removed");
    }
}
