//! The one way eiso renders HTML from minijinja templates: the printed forms,
//! the plan reports, the review pack and the web pages all start from
//! [`environment`], so escaping, undefined variables and error detail behave
//! the same everywhere.

use minijinja::{AutoEscape, Environment, UndefinedBehavior};

/// An environment for HTML templates:
/// - every value is HTML-escaped unless marked safe, escaping only
///   `& < > " '` (minijinja's own escaping also turns `/` into `&#x2f;`, which
///   makes every date, `05/03/2025`, unreadable in the page's source; `/`
///   needs no escaping in text or in quoted attributes);
/// - printing or iterating a variable that does not exist is an error (a typo
///   in an office's template is caught when it is loaded), while
///   `{% if x %}` on it is allowed;
/// - no debug information: it would copy the variables' values (personal
///   data) into error messages;
/// - a template's trailing newline is kept;
/// - `paper.html`, the macros of a document a leader signs (letterhead, number
///   line, date line, Nơi nhận and signature, Nghị định 30/2020/NĐ-CP), can be
///   imported by any template.
pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.set_formatter(|out, state, value| {
        if state.auto_escape() == AutoEscape::Html && !value.is_safe() {
            out.write_str(&escape_html(&value.to_string()))?;
            Ok(())
        } else {
            minijinja::escape_formatter(out, state, value)
        }
    });
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    env.set_debug(false);
    env.set_keep_trailing_newline(true);
    add_builtin(&mut env, "paper.html", PAPER);
    env
}

/// An environment for plain-text templates (the e-mails and SMS to
/// applicants): nothing escaped, the same strictness on undefined variables
/// and no debug information, block tags taking their own line with them so
/// that a template reads as the text it writes.
pub fn text_environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    env.set_debug(false);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env
}

/// The macros every signed document shares (`templates/paper.html`).
const PAPER: &str = include_str!("templates/paper.html");

/// Adds a template compiled into the binary. A built-in template that does
/// not compile is a defect of the build, never of input: it stops the
/// process at start with the template named (each service's tests load its
/// built-ins), rather than rendering empty pages later.
pub fn add_builtin(env: &mut Environment<'static>, name: &'static str, source: &'static str) {
    if let Err(error) = env.add_template(name, source) {
        panic!("built-in template {name} is broken: {error}");
    }
}

/// The text of an office's override of a built-in template, at `path`:
/// `Ok(None)` when there is no such file (the built-in one stays), the text in
/// Unicode NFC (templates are Vietnamese text, kept in NFC like the data),
/// or why it cannot be used.
pub fn read_override(path: &std::path::Path) -> Result<Option<String>, String> {
    use unicode_normalization::UnicodeNormalization;
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    let source = String::from_utf8(bytes).map_err(|_| "not valid UTF-8".to_string())?;
    Ok(Some(source.nfc().collect()))
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_but_slashes_stay_readable() {
        let mut env = environment();
        env.add_template("t.html", "<p title=\"{{ v }}\">{{ v }} {{ d }}</p>\n")
            .expect("compiles");
        let html = env
            .get_template("t.html")
            .and_then(|t| t.render(minijinja::context! { v => "<a href='x'>&\"", d => "05/03/2025" }))
            .expect("renders");
        assert_eq!(
            html,
            "<p title=\"&lt;a href=&#39;x&#39;&gt;&amp;&quot;\">&lt;a href=&#39;x&#39;&gt;&amp;&quot; 05/03/2025</p>\n"
        );
    }

    #[test]
    fn unknown_variables_fail_and_errors_hold_no_values() {
        let mut env = environment();
        env.add_template("t.html", "{% if missing %}x{% endif %}{{ secret }}{{ typo }}")
            .expect("compiles");
        let error = env
            .get_template("t.html")
            .and_then(|t| t.render(minijinja::context! { secret => "Nguyễn Văn A" }))
            .expect_err("an undefined variable is printed");
        assert_eq!(error.kind(), minijinja::ErrorKind::UndefinedError);
        assert!(!format!("{error:#}").contains("Nguyễn"), "{error:#}");
    }

    #[test]
    #[should_panic(expected = "built-in template broken.html is broken")]
    fn a_broken_builtin_template_fails_loudly() {
        add_builtin(&mut environment(), "broken.html", "{% if %}");
    }
}
