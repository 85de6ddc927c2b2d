//! Printable forms of the one-stop counter (Thông tư 01/2018/TT-VPCP, DOMAIN.md "Forms"):
//!
//! | form | title | file name |
//! |---|---|---|
//! | 01 | GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ | `phieu-tiep-nhan-<code>.html` |
//! | 02 | PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ | `phieu-yeu-cau-bo-sung-<code>.html` |
//! | 03 | PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ | `phieu-tu-choi-<code>.html` |
//! | 04 | PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ | `phieu-xin-loi-<code>.html` |
//! | 05 | PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ | `phieu-kiem-soat-<code>.html` |
//! | 06 | SỔ THEO DÕI HỒ SƠ (yearly register) | `so-theo-doi-ho-so-<suffix>.html` |
//!
//! Each form is a page of HTML with print CSS (A5 portrait for 01–05, A4 landscape for the
//! register), rendered from a [minijinja] template. The templates are data, not code: the
//! built-in ones are embedded in the binary, and an office replaces any of them without a
//! rebuild by putting `form-01.html` … `form-06.html` (and, if it wants, the shared layout
//! `base.html` or helpers `macros.html`) in a directory given to [`Templates::with_overrides`]. `TEMPLATES.md` beside
//! this file lists the variables each template gets.
//!
//! The proto data is first turned into a serialisable view model (`view.rs`): every date and
//! time formatted in Vietnamese in Asia/Ho_Chi_Minh, enums as Vietnamese labels, officer ids
//! as display names, all text in Unicode NFC. Templates are rendered with HTML auto-escaping,
//! so whatever an applicant typed is shown as text, never as markup.
//!
//! Personal data (the applicant's name, ID number, phone, address, email) appears only in the
//! rendered page: the contexts' `Debug` leaves it out, and errors carry only the template's
//! file, line and the kind of fault, never a value.

mod sample;
mod view;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use eiso_platform::templates;
use eiso_proto::eiso::procedures::v1::{Dossier, DossierStatus, ProcedureVersion};
use minijinja::Environment;
use unicode_normalization::UnicodeNormalization;

pub use eiso_proto::eiso::procedures::v1::Form;

/// Every form of a dossier, 01 to 05.
const FORMS: [Form; 5] = [
    Form::Receipt,
    Form::SupplementRequest,
    Form::Refusal,
    Form::Apology,
    Form::ControlSlip,
];

/// The built-in templates: (name, source). `base.html` is the layout the forms extend and
/// `macros.html` their helpers; an override directory may replace any of them.
const BUILTIN: [(&str, &str); 8] = [
    ("base.html", include_str!("templates/base.html")),
    ("macros.html", include_str!("templates/macros.html")),
    ("form-01.html", include_str!("templates/form-01.html")),
    ("form-02.html", include_str!("templates/form-02.html")),
    ("form-03.html", include_str!("templates/form-03.html")),
    ("form-04.html", include_str!("templates/form-04.html")),
    ("form-05.html", include_str!("templates/form-05.html")),
    ("form-06.html", include_str!("templates/form-06.html")),
];

/// What a form of a dossier (01–05) is rendered from.
#[derive(Clone, Default)]
pub struct FormContext {
    /// The dossier, with the applicant's data (the caller checks that the reader may see it).
    pub dossier: Dossier,
    /// The procedure version the dossier was received under.
    pub procedure: ProcedureVersion,
    /// The handling agency's name as printed, e.g. `Phòng Giáo dục và Đào tạo quận Hải An`.
    pub agency_name: String,
    /// The agency's code (the first part of dossier codes).
    pub agency_code: String,
    /// Where the agency's documents are dated (địa danh), e.g. `Hải An`;
    /// empty for none.
    pub place_name: String,
    /// Display names of the officers named in the dossier, keyed by `users/{id}`. An officer
    /// missing here is printed as a blank to fill in by hand.
    pub officer_names: BTreeMap<String, String>,
    /// Display names of the units the control slip names (the units its rows were given for,
    /// the counter for the intake), keyed by `units/{id}`. A unit missing here is left blank.
    pub unit_names: BTreeMap<String, String>,
    /// When the form is printed (the date line under the motto).
    pub issue_time: DateTime<Utc>,
    /// Where people reach the server (`https://motcua.example.gov.vn`): the
    /// receipt prints the citizen's lookup page there as a QR code. Empty:
    /// no QR code.
    pub public_url: String,
    /// The one-time code the applicant rates the service with on the lookup
    /// page (the receipt prints it); empty: none.
    pub rating_code: String,
}

/// What the yearly register (form 06) is rendered from.
#[derive(Clone, Default)]
pub struct RegisterContext {
    /// The agency's name as printed.
    pub agency_name: String,
    /// The year of the register.
    pub year: i32,
    /// The year's dossiers, ordered by receive time; numbered 1, 2, 3 … in this order.
    pub dossiers: Vec<Dossier>,
    /// Display names of procedures, keyed by `procedures/{code}/versions/{n}`.
    pub procedures: BTreeMap<String, String>,
    /// Display names of officers, keyed by `users/{id}` (the receiving officer column). An
    /// officer missing here leaves the cell blank.
    pub officer_names: BTreeMap<String, String>,
}

impl fmt::Debug for FormContext {
    /// Leaves the applicant's data out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FormContext")
            .field("dossier", &self.dossier.name)
            .field("code", &self.dossier.code)
            .field("procedure", &self.procedure.name)
            .field("agency_code", &self.agency_code)
            .field("issue_time", &self.issue_time)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for RegisterContext {
    /// Leaves the applicants' data out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegisterContext")
            .field("year", &self.year)
            .field("dossiers", &self.dossiers.len())
            .finish_non_exhaustive()
    }
}

/// Errors of loading templates and rendering forms. None carries personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    /// An override directory or file could not be read.
    #[error("cannot read form template {path}: {message}")]
    Io {
        /// The directory or file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// A template is broken: a syntax error, or an error when it is tried on sample data or
    /// rendered (an unknown variable, filter or template).
    #[error("form template {file}{}: {message}", line.map(|l| format!(", line {l}")).unwrap_or_default())]
    Template {
        /// The file at fault: the override's path, or `built-in <name>`.
        file: String,
        /// The line in that file, when known.
        line: Option<usize>,
        /// What is wrong (the kind of fault, never a value).
        message: String,
    },
    /// `render` was asked for a form that is not a form of one dossier (01–05).
    #[error("form {0} is not a dossier form (01–05); the register (06) has its own function")]
    NotADossierForm(i32),
}

/// The set of form templates: the built-in ones, some of them possibly replaced by an office's
/// files. Cheap to clone; build it once and share it.
#[derive(Clone)]
pub struct Templates {
    env: Environment<'static>,
    /// Where each template came from, by template name: an override's path, or none.
    origins: BTreeMap<&'static str, PathBuf>,
}

impl fmt::Debug for Templates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Templates")
            .field("overrides", &self.origins)
            .finish_non_exhaustive()
    }
}

impl Templates {
    /// The built-in templates.
    pub fn builtin() -> Self {
        let mut env = templates::environment();
        for (name, source) in BUILTIN {
            // Checked by the tests: the built-in templates compile.
            templates::add_builtin(&mut env, name, source);
        }
        Self {
            env,
            origins: BTreeMap::new(),
        }
    }

    /// The built-in templates, each replaced by `<dir>/<name>` where that file exists, for
    /// `form-01.html` … `form-06.html` and the shared `base.html` (layout) and `macros.html`. A missing file keeps
    /// the built-in one; other files in the directory are ignored. Each override is compiled
    /// and tried on sample data now, so that a broken template is reported when the office's
    /// templates are loaded (naming the file and line), not when a citizen is at the counter.
    pub fn with_overrides(dir: &Path) -> Result<Self, FormError> {
        let meta = std::fs::metadata(dir).map_err(|e| io_error(dir, &e))?;
        if !meta.is_dir() {
            return Err(FormError::Io {
                path: dir.to_path_buf(),
                message: "not a directory".into(),
            });
        }
        let mut templates = Self::builtin();
        for (name, _) in BUILTIN {
            let path = dir.join(name);
            let source = match eiso_platform::templates::read_override(&path) {
                Ok(Some(source)) => source,
                Ok(None) => continue,
                Err(message) => return Err(FormError::Io { path, message }),
            };
            templates.origins.insert(name, path);
            if let Err(err) = templates.env.add_template_owned(name, source) {
                return Err(templates.template_error(&err));
            }
        }
        templates.check()?;
        Ok(templates)
    }

    /// Whether the template of `name` (e.g. `form-01.html`) comes from an override file, and which.
    pub fn override_path(&self, name: &str) -> Option<&Path> {
        self.origins.get(name).map(PathBuf::as_path)
    }

    /// Renders every form on sample data: catches unknown variables, filters and templates.
    fn check(&self) -> Result<(), FormError> {
        let ctx = sample::form_context();
        for form in FORMS {
            render(self, form, &ctx)?;
        }
        render_register(self, &sample::register_context())?;
        Ok(())
    }

    fn render_view<S: serde::Serialize>(&self, name: &str, view: &S) -> Result<String, FormError> {
        let template = self.env.get_template(name).map_err(|e| self.template_error(&e))?;
        let html = template
            .render(minijinja::Value::from_serialize(view))
            .map_err(|e| self.template_error(&e))?;
        Ok(html.nfc().collect())
    }

    /// A template error naming the file (the override's path, or the built-in name) and line,
    /// with the kind of fault only: minijinja's debug information, which holds the values of
    /// the variables, is never kept.
    fn template_error(&self, err: &minijinja::Error) -> FormError {
        let name = err.name().unwrap_or("?");
        let file = match self.origins.get(name) {
            Some(path) => path.display().to_string(),
            None => format!("built-in {name}"),
        };
        let message = match err.detail() {
            Some(detail) => format!("{}: {detail}", err.kind()),
            None => err.kind().to_string(),
        };
        FormError::Template {
            file,
            line: err.line(),
            message,
        }
    }
}

impl Default for Templates {
    fn default() -> Self {
        Self::builtin()
    }
}

fn io_error(path: &Path, err: &std::io::Error) -> FormError {
    FormError::Io {
        path: path.to_path_buf(),
        message: err.kind().to_string(),
    }
}

/// The template name of a form: `form-01.html` … `form-06.html`.
fn template_name(form: Form) -> Option<&'static str> {
    match form {
        Form::Receipt => Some("form-01.html"),
        Form::SupplementRequest => Some("form-02.html"),
        Form::Refusal => Some("form-03.html"),
        Form::Apology => Some("form-04.html"),
        Form::ControlSlip => Some("form-05.html"),
        Form::Register => Some("form-06.html"),
        Form::Unspecified => None,
    }
}

/// Renders one of the forms of a dossier (01–05) as a printable HTML page (A5).
pub fn render(templates: &Templates, form: Form, ctx: &FormContext) -> Result<String, FormError> {
    let name = match form {
        Form::Register | Form::Unspecified => return Err(FormError::NotADossierForm(form as i32)),
        _ => template_name(form).ok_or(FormError::NotADossierForm(form as i32))?,
    };
    let view = view::form_view(form, ctx);
    templates.render_view(name, &view)
}

/// Why `form` makes no sense for `dossier` as it stands (a receipt for a
/// dossier refused at intake, a refusal for one received, a supplement
/// request before one was asked, an apology without an extension); `None`
/// when it applies. The register (06) is not a dossier's form.
pub fn does_not_apply(form: Form, dossier: &Dossier) -> Option<&'static str> {
    let refused = dossier.status == DossierStatus::NotReceived as i32;
    match form {
        Form::SupplementRequest if dossier.supplements.is_empty() => Some("no supplement was asked for this dossier"),
        Form::Refusal if !refused => Some("the dossier was not refused at intake"),
        Form::Apology if dossier.extension.is_none() => {
            Some("the dossier was not extended: there is no new appointment to apologise for")
        }
        Form::Receipt | Form::ControlSlip if refused => {
            Some("the dossier was refused at intake: it has no receipt or control slip, only the refusal (form 03)")
        }
        Form::Register | Form::Unspecified => Some("not a form of one dossier"),
        _ => None,
    }
}

/// Renders the yearly register (form 06) as a printable HTML page (A4 landscape).
pub fn render_register(templates: &Templates, ctx: &RegisterContext) -> Result<String, FormError> {
    let view = view::register_view(ctx);
    templates.render_view("form-06.html", &view)
}

/// A suggested file name for a rendered form, e.g. `phieu-tiep-nhan-<code>.html`. For the
/// register, `dossier_code` is whatever names the register, e.g. `<agency code>-2025`.
/// Characters that are unsafe in a file name are replaced by `-`.
pub fn file_name(form: Form, dossier_code: &str) -> String {
    let stem = match form {
        Form::Receipt => "phieu-tiep-nhan",
        Form::SupplementRequest => "phieu-yeu-cau-bo-sung",
        Form::Refusal => "phieu-tu-choi",
        Form::Apology => "phieu-xin-loi",
        Form::ControlSlip => "phieu-kiem-soat",
        Form::Register => "so-theo-doi-ho-so",
        Form::Unspecified => "bieu-mau",
    };
    let code: String = dossier_code
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let code = code.trim_matches(|c| c == '.' || c == '-');
    if code.is_empty() {
        format!("{stem}.html")
    } else {
        format!("{stem}-{code}.html")
    }
}
