//! A file of a document's revision or of a record (`/tep/{file name}`),
//! streamed from the documents service as it is read: never held whole, so a
//! large scan costs the server a chunk of memory, not its size. PDF and
//! pictures open in the browser; anything else (and everything with
//! `?tai-ve=1`) downloads under its own name.

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use http::{HeaderValue, StatusCode};
use serde::Deserialize;

use super::document::viewable;
use super::methods::DOWNLOAD_FILE;
use crate::error::PageError;
use crate::session::Session;
use crate::{Web, format};

#[derive(Deserialize, Default)]
pub struct DownloadQuery {
    /// Set: download even what the browser could show.
    #[serde(default, rename = "tai-ve")]
    tai_ve: String,
}

/// Whether `name` is a file's name the documents service gives:
/// `documents/{id}/revisions/{n}/files/{id}` or `records/{id}/files/{id}`.
fn is_file_name(name: &str) -> bool {
    let parts: Vec<&str> = name.split('/').collect();
    let id = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    match parts.as_slice() {
        ["documents", d, "revisions", n, "files", f] => id(d) && n.parse::<u32>().is_ok() && id(f),
        ["records", r, "files", f] => id(r) && id(f),
        _ => false,
    }
}

/// `Content-Disposition` for `file_name`: an ASCII stand-in for old
/// browsers, and the name itself (RFC 6266, RFC 5987).
pub(super) fn disposition(inline: bool, file_name: &str) -> String {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "{}; filename=\"{ascii}\"; filename*=UTF-8''{}",
        if inline { "inline" } else { "attachment" },
        format::percent_encode(file_name).replace('/', "%2F")
    )
}

/// An exported table to download under `file_name`: CSV (`csv`) or an Excel
/// workbook, not kept by shared caches.
pub fn table(csv: bool, content: impl IntoResponse, file_name: &str) -> Result<Response, PageError> {
    let content_type = if csv {
        "text/csv; charset=utf-8"
    } else {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    };
    let mut response = (StatusCode::OK, content).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    let disposition = disposition(false, file_name);
    headers.insert(
        CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).map_err(|e| PageError::Internal(e.to_string()))?,
    );
    Ok(response)
}

pub async fn file(
    State(web): State<Web>,
    session: Session,
    Path(name): Path<String>,
    Query(query): Query<DownloadQuery>,
) -> Result<Response, PageError> {
    if !is_file_name(&name) {
        return Err(PageError::NotFound);
    }
    let ctx = session.context(DOWNLOAD_FILE)?;
    let (file, chunks) = web.documents().download(&ctx, &name).await?;
    let inline = query.tai_ve.is_empty() && viewable(&file.content_type);
    let content_type = if inline {
        file.content_type.as_str()
    } else {
        "application/octet-stream"
    };
    let body = Body::from_stream(chunks.map(|chunk| chunk.map_err(std::io::Error::other)));
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    let value = |text: &str| HeaderValue::from_str(text).map_err(|e| PageError::Internal(e.to_string()));
    headers.insert(CONTENT_TYPE, value(content_type)?);
    headers.insert(CONTENT_LENGTH, HeaderValue::from(file.size.max(0)));
    headers.insert(CONTENT_DISPOSITION, value(&disposition(inline, &file.file_name))?);
    // What the person may read is not kept by shared caches.
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    // A file is shown as itself, never as a page of this site.
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; img-src 'self'; object-src 'self'; frame-ancestors 'self'"),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_file_names_reach_the_service() {
        assert!(is_file_name("documents/abc/revisions/2/files/f-1"));
        assert!(is_file_name("records/r1/files/f1"));
        assert!(!is_file_name("documents/abc/revisions/x/files/f1"));
        assert!(!is_file_name("documents/abc"));
        assert!(!is_file_name("records/../files/f1"));
        assert!(!is_file_name("records/r1/files/f1/extra"));
    }

    #[test]
    fn names_keep_their_vietnamese_and_lose_their_quotes() {
        assert_eq!(
            disposition(false, "Quy trình \"một cửa\".pdf"),
            "attachment; filename=\"Quy tr_nh _m_t c_a_.pdf\"; filename*=UTF-8''Quy%20tr%C3%ACnh%20%22m%E1%BB%99t%20c%E1%BB%ADa%22.pdf"
        );
    }
}
