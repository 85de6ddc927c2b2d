//! `pages`: how long the web app takes to answer the document controller's
//! pages — the documents' list (all, and filtered), the search page (every
//! benchmark document matches; a kind narrowed; one code), the review inbox
//! and the records — and, with the administrator's password, the search page
//! over every item of the index. Before timing, it waits until the search
//! index holds `--expect-items` items (GetIndexStatus, as the administrator)
//! and reports how many it holds.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use eiso_benchkit::browser::Browser;
use eiso_benchkit::pages::Page;
use eiso_proto::eiso::documents::v1::ListDocumentsRequest;
use eiso_proto::eiso::search::v1::GetIndexStatusRequest;
use eiso_proto::eiso::search::v1::search_service_client::SearchServiceClient;
use eiso_proto::tonic::transport::Channel;

use crate::session::{Session, call_error};

/// Who signs in on the pages, and how the index is watched.
pub struct Plan<'a> {
    pub addr: SocketAddr,
    pub controller: (&'a str, &'a str),
    /// The administrator's name, password and session: the index's size and
    /// the search over everything.
    pub admin: Option<(&'a str, &'a str, &'a Session)>,
    pub channel: Channel,
    pub expect_items: u64,
    /// The document controller's session: a document's code to search for.
    pub session: &'a Session,
    pub repeat: u32,
}

/// The pages' timings and the index's size when they were taken.
#[derive(Debug)]
pub struct PagesRun {
    pub items: Option<i64>,
    pub pages: Vec<Page>,
}

/// Waits (at most ten minutes) until the index holds `expect` items; their count.
async fn index_size(channel: Channel, admin: &Session, expect: u64) -> anyhow::Result<i64> {
    let mut search = SearchServiceClient::with_interceptor(channel, admin.bearer());
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let status = search
            .get_index_status(GetIndexStatusRequest::default())
            .await
            .map_err(|status| call_error("GetIndexStatus", &status))?
            .into_inner();
        if status.document_count as u64 >= expect {
            return Ok(status.document_count);
        }
        if Instant::now() > deadline {
            bail!(
                "the index holds {} items, not the {expect} expected",
                status.document_count
            );
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

pub async fn run(plan: Plan<'_>) -> anyhow::Result<PagesRun> {
    let items = match plan.admin {
        Some((_, _, session)) => Some(index_size(plan.channel.clone(), session, plan.expect_items).await?),
        None if plan.expect_items > 0 => bail!("--expect-items needs the administrator: --admin-password-env VAR"),
        None => None,
    };
    let mut controller = Browser::new(plan.addr);
    controller.sign_in(plan.controller.0, plan.controller.1).await;
    // A code to search for: one of the controller's documents.
    let code = crate::session::documents(plan.session, plan.channel.clone())
        .list_documents(ListDocumentsRequest {
            page_size: 1,
            order_by: "update_time desc".into(),
            ..Default::default()
        })
        .await
        .map_err(|status| call_error("ListDocuments", &status))?
        .into_inner()
        .documents
        .into_iter()
        .next()
        .map(|d| d.code)
        .context("the document controller has no document to search for: run the revisions part first")?;
    let controller_pages = [
        "/tai-lieu".to_string(),
        "/tai-lieu?loai=procedure&trang_thai=draft".to_string(),
        "/tim-kiem?q=quy+trinh+do+hieu+nang".to_string(),
        "/tim-kiem?q=do+hieu+nang&loai=document".to_string(),
        format!("/tim-kiem?q={code}"),
        "/cho-duyet".to_string(),
        "/ho-so-chat-luong".to_string(),
    ];
    let mut pages = Vec::new();
    for path in controller_pages {
        pages.push(Page::time(&mut controller, "document controller", path, plan.repeat).await?);
    }
    if let Some((name, password, _)) = plan.admin {
        let mut admin = Browser::new(plan.addr);
        admin.sign_in(name, password).await;
        for path in ["/tim-kiem?q=chuyen+truong", "/tim-kiem?q=quy+trinh"] {
            pages.push(Page::time(&mut admin, "administrator", path.to_string(), plan.repeat).await?);
        }
    }
    Ok(PagesRun { items, pages })
}

/// The server's address for the pages, from `http://IP:PORT`.
pub fn addr(server: &str) -> anyhow::Result<SocketAddr> {
    server
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .with_context(|| format!("`{server}` is not http://IP:PORT (the pages need an address)"))
}
