//! A form that sends small tables as files (`multipart/form-data`: a plan's
//! appendix, the procedure catalogue): its CSRF part checked first, before
//! anything else is read, then its text fields and its files, each held in
//! memory up to a bound (tables are small; large files are streamed by the
//! documents' upload instead).

use axum::extract::Multipart;
use axum::extract::multipart::Field;
use http::HeaderMap;

use crate::csrf;
use crate::error::PageError;

/// The largest table file a form takes.
pub const MAX_TABLE_BYTES: usize = 10 << 20;
/// The largest text field.
const MAX_FIELD_BYTES: usize = 4096;
/// The most a whole form may send (two tables and its fields): the routes'
/// body limit, so that no form is buffered past it.
pub const MAX_FORM_BYTES: usize = 2 * MAX_TABLE_BYTES + (64 << 10);

/// What the form sent.
#[derive(Default)]
pub struct TablesForm {
    /// Text fields, trimmed.
    pub fields: Vec<(String, String)>,
    /// Files chosen: (field, file name, content).
    pub files: Vec<(String, String, Vec<u8>)>,
}

impl TablesForm {
    /// The first value of text field `name`; empty when absent.
    pub fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The file sent as `name`: (file name, content).
    pub fn take_file(&mut self, name: &str) -> Option<(String, Vec<u8>)> {
        let at = self.files.iter().position(|(field, ..)| field == name)?;
        let (_, file_name, content) = self.files.remove(at);
        Some((file_name, content))
    }
}

/// Reads a part up to `limit` bytes; `None` past it or when cut off.
async fn read_part(field: &mut Field<'_>, limit: usize) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) => {
                out.extend_from_slice(&chunk);
                if out.len() > limit {
                    return None;
                }
            }
            Ok(None) => return Some(out),
            Err(_) => return None,
        }
    }
}

/// The form, or why it cannot be read: CSRF refused (an error page), or a
/// problem to show on the form (`Err(Ok(message))`).
pub async fn read(headers: &HeaderMap, mut multipart: Multipart) -> Result<TablesForm, Result<String, PageError>> {
    let unreadable = || Err(PageError::BadRequest("Biểu mẫu gửi lên không đọc được.".into()));
    let mut form = TablesForm::default();
    let mut checked_csrf = false;
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => return Err(unreadable()),
        };
        let name = field.name().unwrap_or_default().to_string();
        if !checked_csrf {
            let value = match name.as_str() {
                "csrf" => read_part(&mut field, 256).await,
                _ => None,
            };
            if !csrf::check(headers, value.as_deref().map(String::from_utf8_lossy).as_deref()) {
                return Err(Err(PageError::Csrf));
            }
            checked_csrf = true;
            continue;
        }
        let file_name = field.file_name().map(str::to_string);
        let limit = if file_name.is_some() {
            MAX_TABLE_BYTES
        } else {
            MAX_FIELD_BYTES
        };
        let Some(content) = read_part(&mut field, limit).await else {
            return Err(Ok(format!(
                "Bảng quá lớn (tối đa {} MB mỗi tệp), hoặc việc gửi bị gián đoạn.",
                MAX_TABLE_BYTES >> 20
            )));
        };
        match file_name {
            Some(file_name) if !file_name.is_empty() => form.files.push((name, file_name, content)),
            // A file input left empty.
            Some(_) => {}
            None => form
                .fields
                .push((name, String::from_utf8_lossy(&content).trim().to_string())),
        }
    }
    if !checked_csrf {
        return Err(Err(PageError::Csrf));
    }
    Ok(form)
}

/// A table's format from its file name: `xlsx` or `csv`.
pub fn format_of(file_name: &str) -> Option<&'static str> {
    let lower = file_name.to_lowercase();
    if lower.ends_with(".xlsx") {
        Some("xlsx")
    } else if lower.ends_with(".csv") {
        Some("csv")
    } else {
        None
    }
}
