//! A poison event against the real `eiso-server` process, run under an
//! address-space cap (`ulimit -v`) and restarted by the test as a supervisor
//! (systemd, Kubernetes) would restart it: a file whose indexing kills the
//! whole process. Without the quarantine, every start replays the same event
//! and dies again — the office is down until someone deletes data by hand.
//!
//! The killing file is made by a fault-injection hook: the server binary
//! reads `EISO_TEST_FAULT_ABORT_ON_FILE` and its indexer asks for a terabyte
//! when it reaches a file of that name, which fails under the cap and aborts
//! the process (an allocation failure is not a panic). Real parsers run in a
//! capped child process since the hostile-files work; this stands for
//! whatever is left that can kill the parent.
//!
//! Asserted: the server dies exactly [`MAX_ATTEMPTS`] times, then stays up;
//! the record is indexed by name only (found by a root administrator, not by
//! its own unit's staff); `GetIndexStatus` lists the quarantined event;
//! events after it are indexed; and one more restart does not loop.

#![allow(clippy::unwrap_used)]

mod capped;
mod process;

use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;
use std::time::{Duration, Instant};

use capped::{CappedServer, Start, connect, login};
use eiso_proto::eiso::documents::v1::document_service_client::DocumentServiceClient;
use eiso_proto::eiso::documents::v1::*;
use eiso_proto::eiso::identity::v1::{Role, UnitKind};
use eiso_proto::eiso::search::v1::search_service_client::SearchServiceClient;
use eiso_proto::eiso::search::v1::{GetIndexStatusRequest, IndexStatus, SearchRequest};
use eiso_search::quarantine::{CRASHED, MAX_ATTEMPTS};
use eiso_tests::{ADMIN_PASSWORD, Backend, Bearer, bearer};
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, Endpoint};

/// The file the fault-injection hook dies on.
const POISON_FILE: &str = "bien-ban-hong.txt";
/// Bounds on waiting for a start, a death, or the index.
const DEADLINE: Duration = Duration::from_secs(120);
/// Starts after which the test gives up on the server staying up.
const MAX_STARTS: u32 = 10;

async fn index_status(channel: &Channel, token: &str) -> Result<IndexStatus, tonic::Status> {
    Ok(
        SearchServiceClient::with_interceptor(channel.clone(), bearer(Some(token)))
            .get_index_status(GetIndexStatusRequest {})
            .await?
            .into_inner(),
    )
}

fn caught_up(status: &IndexStatus) -> bool {
    !status.streams.is_empty() && status.streams.iter().all(|s| s.lag == 0)
}

/// Waits until every stream is indexed to its head, the server staying up.
async fn wait_caught_up(server: &mut CappedServer, channel: &Channel, token: &str) -> IndexStatus {
    let deadline = Instant::now() + DEADLINE;
    loop {
        server.assert_alive();
        let status = index_status(channel, token).await.unwrap();
        if caught_up(&status) {
            return status;
        }
        assert!(Instant::now() < deadline, "the index did not catch up: {status:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A record of `unit` with one text file.
async fn record_with_file(
    documents: &mut DocumentServiceClient<InterceptedService<Channel, Bearer>>,
    unit: &str,
    title: &str,
    file_name: &str,
    text: &str,
) -> (String, Result<(), tonic::Status>) {
    let record = documents
        .create_record(CreateRecordRequest {
            record: Some(Record {
                title: title.into(),
                owner_unit: unit.into(),
                retention_months: 12,
                disposition: Disposition::Keep as i32,
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let header = UploadFileRequest {
        part: Some(upload_file_request::Part::Header(UploadFileHeader {
            parent: record.name.clone(),
            file_name: file_name.into(),
            content_type: "text/plain".into(),
            expected_sha256: String::new(),
        })),
    };
    let chunk = UploadFileRequest {
        part: Some(upload_file_request::Part::Chunk(text.as_bytes().to_vec())),
    };
    let uploaded = documents
        .upload_file(futures::stream::iter([header, chunk]))
        .await
        .map(|_| ());
    (record.name, uploaded)
}

async fn search(channel: &Channel, token: &str, query: &str, statuses: &[&str]) -> Vec<(String, String)> {
    SearchServiceClient::with_interceptor(channel.clone(), bearer(Some(token)))
        .search(SearchRequest {
            query: query.into(),
            statuses: statuses.iter().map(|s| s.to_string()).collect(),
            page_size: 100,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .results
        .into_iter()
        .map(|r| (r.name, r.title))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_that_kills_the_indexer_is_quarantined_and_restarts_stop_looping() {
    let backend = Backend::fresh().await;
    let (data_dir, url, _blob_dir) = capped::storage(&backend);
    let logs = tempfile::tempdir().unwrap();
    let mut starts = 0u32;
    let spawn = |starts: &mut u32| {
        *starts += 1;
        CappedServer::spawn(
            &data_dir,
            url.as_deref(),
            logs.path().join(format!("server-{starts}.log")),
            &[("EISO_TEST_FAULT_ABORT_ON_FILE", POISON_FILE)],
        )
    };

    // First life: an office, its records clerk, a good record; then a record
    // whose file kills the indexer.
    let mut server = spawn(&mut starts);
    let Start::Serving(addr) = server.started(DEADLINE).await else {
        panic!("the first start died:\n{}", server.log_tail());
    };
    let channel = connect(addr, Duration::from_secs(60)).await;
    let admin = login(&channel, "admin", ADMIN_PASSWORD).await.unwrap();
    let unit = process::unit_with_people(
        &channel,
        ("PGD", "Phòng Giáo dục và Đào tạo", UnitKind::Office),
        &[("thu.ky", Role::DocumentController)],
    )
    .await;
    let clerk = login(&channel, "thu.ky", "thu.ky-password").await.unwrap();
    let mut documents = DocumentServiceClient::with_interceptor(channel.clone(), bearer(Some(&clerk)));
    let (good, uploaded) = record_with_file(
        &mut documents,
        &unit,
        "Hồ sơ họp giao ban",
        "bien-ban-giao-ban.txt",
        "biên bản họp giao ban tháng mười",
    )
    .await;
    uploaded.unwrap();
    wait_caught_up(&mut server, &channel, &admin).await;
    // The poison record is created and indexed first, so that the event that
    // kills is the upload alone.
    let poison = documents
        .create_record(CreateRecordRequest {
            record: Some(Record {
                title: "Hồ sơ có tệp hỏng".into(),
                owner_unit: unit.clone(),
                retention_months: 12,
                disposition: Disposition::Keep as i32,
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner()
        .name;
    wait_caught_up(&mut server, &channel, &admin).await;
    let header = UploadFileRequest {
        part: Some(upload_file_request::Part::Header(UploadFileHeader {
            parent: poison.clone(),
            file_name: POISON_FILE.into(),
            content_type: "text/plain".into(),
            expected_sha256: String::new(),
        })),
    };
    let chunk = UploadFileRequest {
        part: Some(upload_file_request::Part::Chunk(b"noi dung bat ky".to_vec())),
    };
    // The upload commits before the indexer reaches it; the process may die
    // before the answer leaves, so the outcome of the call is not asserted.
    let _ = documents.upload_file(futures::stream::iter([header, chunk])).await;
    drop(documents);
    drop(channel);

    // The supervisor: restart whenever it dies, until it stays up with the
    // index caught up.
    let mut deaths = Vec::new();
    let (mut server, channel, admin) = loop {
        let status = server.died_or_caught_up().await;
        match status {
            Ok((channel, admin)) => break (server, channel, admin),
            Err(status) => {
                let log = std::fs::read_to_string(&server.log).unwrap_or_default();
                assert!(
                    log.contains("fault injection: aborting"),
                    "death {} was not the poison file ({status}):\n{}",
                    deaths.len() + 1,
                    server.log_tail()
                );
                deaths.push(status);
                assert!(starts < MAX_STARTS, "still dying after {starts} starts: {deaths:?}");
                server = spawn(&mut starts);
            }
        }
    };
    eprintln!("the server died {} times ({deaths:?}) in {starts} starts", deaths.len());
    assert!(deaths.iter().all(|s| s.signal() == Some(libc_sigabrt())), "{deaths:?}");
    assert_eq!(deaths.len() as u32, MAX_ATTEMPTS, "{deaths:?}");

    // Listed for an administrator.
    let status = index_status(&channel, &admin).await.unwrap();
    assert_eq!(status.quarantined_event_count, 1, "{status:?}");
    let event = &status.quarantined_events[0];
    assert_eq!(
        (
            event.stream.as_str(),
            event.resource.as_str(),
            event.reason.as_str(),
            event.attempts
        ),
        ("documents", poison.as_str(), CRASHED, MAX_ATTEMPTS as i32)
    );
    let clerk = login(&channel, "thu.ky", "thu.ky-password").await.unwrap();
    // The record is indexed by its name only, for root administrators.
    assert_eq!(
        search(&channel, &admin, "records", &["quarantined"]).await,
        [(poison.clone(), poison.clone())]
    );
    assert!(
        search(&channel, &admin, "tep hong", &[]).await.is_empty(),
        "not by its title"
    );
    assert!(search(&channel, &clerk, "records", &["quarantined"]).await.is_empty());
    // The good record is still there, and new events are indexed.
    assert_eq!(
        search(&channel, &clerk, "giao ban thang muoi", &[]).await,
        [(good, "Hồ sơ họp giao ban".to_string())]
    );
    let mut documents = DocumentServiceClient::with_interceptor(channel.clone(), bearer(Some(&clerk)));
    let (after, uploaded) = record_with_file(
        &mut documents,
        &unit,
        "Hồ sơ kiểm tra cuối năm",
        "ket-luan.txt",
        "kết luận thanh tra chuyên đề",
    )
    .await;
    uploaded.unwrap();
    wait_caught_up(&mut server, &channel, &admin).await;
    assert_eq!(
        search(&channel, &clerk, "ket luan thanh tra", &[]).await,
        [(after, "Hồ sơ kiểm tra cuối năm".to_string())]
    );

    // Killed once more, as anything may be: the next start does not loop.
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let mut server = spawn(&mut starts);
    let Start::Serving(addr) = server.started(DEADLINE).await else {
        panic!("the start after the quarantine died:\n{}", server.log_tail());
    };
    let channel = connect(addr, Duration::from_secs(60)).await;
    let admin = login(&channel, "admin", ADMIN_PASSWORD).await.unwrap();
    let status = wait_caught_up(&mut server, &channel, &admin).await;
    assert_eq!(status.quarantined_event_count, 1);
    server.assert_alive();
}

/// SIGABRT (6 on Linux).
fn libc_sigabrt() -> i32 {
    6
}

impl CappedServer {
    /// Waits until this start dies (its exit status) or serves with its index
    /// caught up (a channel and an administrator's token).
    async fn died_or_caught_up(&mut self) -> Result<(Channel, String), ExitStatus> {
        let addr = match self.started(DEADLINE).await {
            Start::Died(status) => return Err(status),
            Start::Serving(addr) => addr,
        };
        let deadline = Instant::now() + DEADLINE;
        let mut session: Option<(Channel, String)> = None;
        loop {
            if let Some(status) = self.exited() {
                return Err(status);
            }
            if session.is_none()
                && let Ok(channel) = Endpoint::from_shared(format!("http://{addr}")).unwrap().connect().await
                && let Ok(token) = login(&channel, "admin", ADMIN_PASSWORD).await
            {
                session = Some((channel, token));
            }
            if let Some((channel, token)) = &session
                && let Ok(status) = index_status(channel, token).await
                && caught_up(&status)
            {
                return Ok((channel.clone(), token.clone()));
            }
            assert!(Instant::now() < deadline, "neither up nor down:\n{}", self.log_tail());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}
