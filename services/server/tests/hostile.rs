//! Hostile files against the real `eiso-server` process, run under an
//! address-space cap (`ulimit -v`): every file of the generated corpus
//! (`eiso_untrusted::corpus`: sparse and declared dimensions, zip bombs with
//! true and lying headers, deflate bombs in PDF, giant shared-string tables,
//! deeply nested XML and PDF, truncated archives, CSV of 100,000 columns)
//! is uploaded to a record and indexed, and sent to every import
//! (ImportProcedures, ImportPlan). The server must stay up, its peak memory
//! must stay far under the cap, each import must answer INVALID_ARGUMENT
//! with a short message, each record must be indexed (by name only when its
//! file cannot be read), and the harmless files' text must be searchable.
//!
//! The extraction mode itself is tested too, with the checks turned off: a
//! parser that runs away dies inside its child process, under its own limit.

#![allow(clippy::unwrap_used)]

mod capped;
mod process;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use capped::{CAP_KIB, CappedServer, Start, connect, login};
use eiso_proto::eiso::documents::v1::document_service_client::DocumentServiceClient;
use eiso_proto::eiso::documents::v1::*;
use eiso_proto::eiso::identity::v1::{Role, UnitKind};
use eiso_proto::eiso::plans::v1::plan_service_client::PlanServiceClient;
use eiso_proto::eiso::plans::v1::{ImportPlanRequest, Plan};
use eiso_proto::eiso::procedures::v1::procedure_service_client::ProcedureServiceClient;
use eiso_proto::eiso::procedures::v1::{ImportProceduresRequest, TableFormat};
use eiso_proto::eiso::search::v1::search_service_client::SearchServiceClient;
use eiso_proto::eiso::search::v1::{GetIndexStatusRequest, SearchRequest};
use eiso_tests::{ADMIN_PASSWORD, Backend, bearer};
use eiso_untrusted::corpus::{self, Kind, Sample};

/// The server's address-space cap is `capped::CAP_KIB` (4 GiB: the
/// allocator's arenas and thread stacks reserve address space, so the cap is
/// on what is mapped, not resident).
/// Resident memory the server may reach while taking in the whole corpus.
const MAX_RESIDENT_KIB: u64 = 1 << 20;
const START_DEADLINE: Duration = Duration::from_secs(90);
const SERVER: &str = env!("CARGO_BIN_EXE_eiso-server");

/// Which import format reads a sample, if any.
fn table_format(sample: &Sample) -> Option<TableFormat> {
    match sample.kind {
        Kind::Xlsx | Kind::Ods => Some(TableFormat::Xlsx),
        Kind::Csv => Some(TableFormat::Csv),
        Kind::Docx | Kind::Pdf => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_files_neither_kill_nor_bloat_a_capped_server() {
    let backend = Backend::fresh().await;
    let (data_dir, url, _blob_dir) = capped::storage(&backend);
    let logs = tempfile::tempdir().unwrap();
    let mut server = CappedServer::spawn(&data_dir, url.as_deref(), logs.path().join("server.log"), &[]);
    let Start::Serving(addr) = server.started(START_DEADLINE).await else {
        panic!("eiso-server died at start:\n{}", server.log_tail());
    };
    let (_, resident_at_start) = server.memory();
    let channel = connect(addr, Duration::from_secs(120)).await;
    let admin_token = login(&channel, "admin", ADMIN_PASSWORD).await.unwrap();

    // A unit and its document controller, who keeps records.
    let unit = process::unit_with_people(
        &channel,
        ("PGD", "Phòng Giáo dục và Đào tạo", UnitKind::Office),
        &[("thu.ky", Role::DocumentController)],
    )
    .await;
    let controller_token = login(&channel, "thu.ky", "thu.ky-password").await.unwrap();
    let mut documents = DocumentServiceClient::with_interceptor(channel.clone(), bearer(Some(&controller_token)))
        .max_encoding_message_size(64 << 20);

    let hostile = corpus::hostile();
    let ordinary = corpus::ordinary();
    let mut problems = Vec::new();

    // Every import refuses every hostile table with INVALID_ARGUMENT and a short message.
    let mut catalogue = ProcedureServiceClient::with_interceptor(channel.clone(), bearer(Some(&admin_token)))
        .max_encoding_message_size(64 << 20);
    let mut plans = PlanServiceClient::with_interceptor(channel.clone(), bearer(Some(&admin_token)))
        .max_encoding_message_size(64 << 20);
    for sample in &hostile {
        let Some(format) = table_format(sample) else { continue };
        let procedures = catalogue
            .import_procedures(ImportProceduresRequest {
                format: format as i32,
                content: sample.content.clone(),
                publish: false,
                validate_only: true,
            })
            .await;
        let plan = plans
            .import_plan(ImportPlanRequest {
                plan: Some(Plan {
                    year: 2024,
                    issuing_unit: unit.clone(),
                    title: "Kế hoạch cải cách hành chính năm 2024".into(),
                    ..Default::default()
                }),
                format: format as i32,
                content: sample.content.clone(),
                validate_only: true,
                ..Default::default()
            })
            .await;
        for (import, outcome) in [
            ("ImportProcedures", procedures.map(|_| ())),
            ("ImportPlan", plan.map(|_| ())),
        ] {
            match outcome {
                Err(status) if status.code() == tonic::Code::InvalidArgument && status.message().len() < 400 => {
                    eprintln!("{import} {}: {}", sample.label, status.message());
                }
                other => problems.push(format!("{import} {}: {other:?}", sample.label)),
            }
        }
        server.assert_alive();
    }

    // Every file, hostile or not, goes onto a record of its own and into the index.
    let mut records = Vec::new();
    for (i, sample) in hostile.iter().chain(&ordinary).enumerate() {
        let record = documents
            .create_record(CreateRecordRequest {
                record: Some(Record {
                    title: format!("Hồ sơ lưu trữ số{i}"),
                    owner_unit: unit.clone(),
                    retention_months: 12,
                    disposition: Disposition::Keep as i32,
                    ..Default::default()
                }),
                request_id: format!("record-{i}"),
            })
            .await
            .unwrap()
            .into_inner();
        let messages = std::iter::once(UploadFileRequest {
            part: Some(upload_file_request::Part::Header(UploadFileHeader {
                parent: record.name.clone(),
                file_name: format!("tep-{i}.{}", sample.file_name.rsplit('.').next().unwrap()),
                content_type: sample.content_type.into(),
                expected_sha256: String::new(),
            })),
        })
        .chain(sample.content.chunks(1 << 20).map(|chunk| UploadFileRequest {
            part: Some(upload_file_request::Part::Chunk(chunk.to_vec())),
        }))
        .collect::<Vec<_>>();
        if let Err(status) = documents.upload_file(futures::stream::iter(messages)).await {
            problems.push(format!("upload {}: {status:?}", sample.label));
        }
        records.push((record.name, format!("số{i}"), sample.label));
    }

    // The index takes every record in, and the server is still up.
    let mut search = SearchServiceClient::with_interceptor(channel.clone(), bearer(Some(&admin_token)));
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        server.assert_alive();
        let status = search
            .get_index_status(GetIndexStatusRequest {})
            .await
            .unwrap()
            .into_inner();
        if status.streams.iter().all(|s| s.lag == 0) {
            break;
        }
        assert!(Instant::now() < deadline, "the index did not catch up: {status:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for (name, word, label) in &records {
        let found = search
            .search(SearchRequest {
                query: word.clone(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        if !found.results.iter().any(|r| &r.name == name) {
            problems.push(format!("{label}: record {name} is not in the index"));
        }
    }
    // The harmless files' text was extracted (ODS is not a format the indexer reads).
    let found = search
        .search(SearchRequest {
            query: "ordinary".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let extracted: Vec<&str> = records
        .iter()
        .filter(|(name, _, _)| found.results.iter().any(|r| &r.name == name))
        .map(|(_, _, label)| *label)
        .collect();
    let mut expected = vec!["ordinary-sheet", "ordinary-letter", "ordinary-page", "ordinary-list"];
    expected.sort();
    let mut extracted_sorted = extracted.clone();
    extracted_sorted.sort();
    if extracted_sorted != expected {
        problems.push(format!("text extracted from {extracted:?}, expected {expected:?}"));
    }

    server.assert_alive();
    let log = std::fs::read_to_string(&server.log).unwrap_or_default();
    for line in log.lines().filter(|l| l.contains("no text taken")) {
        eprintln!("{}", line.chars().take(300).collect::<String>());
    }
    let (peak, resident) = server.memory();
    eprintln!(
        "server memory: VmPeak {} MiB (cap {} MiB), VmHWM {} MiB (at start {} MiB)",
        peak / 1024,
        CAP_KIB / 1024,
        resident / 1024,
        resident_at_start / 1024
    );
    assert!(peak <= CAP_KIB, "VmPeak {peak} KiB over the cap");
    assert!(resident < MAX_RESIDENT_KIB, "VmHWM {resident} KiB");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The extraction child on files the checks would refuse, with the checks
/// off: whatever the parser does, the child ends (by itself, refused, or
/// killed by its limits) and the test process is untouched.
#[test]
fn a_runaway_parser_dies_inside_the_extraction_child() {
    use std::io::Write;
    let mut outcomes = Vec::new();
    for sample in corpus::hostile() {
        let format = match sample.kind {
            Kind::Xlsx => "xlsx",
            Kind::Docx => "docx",
            Kind::Pdf => "pdf",
            Kind::Csv => "text",
            Kind::Ods => continue,
        };
        // The child limits itself; the shell's cap is a second guard for this machine.
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(format!("ulimit -v {CAP_KIB} && exec \"$0\" \"$@\""))
            .arg(SERVER)
            .args(["extract", "--format", format, "--unchecked"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let content = sample.content.clone();
        let feeder = std::thread::spawn(move || {
            let _ = stdin.write_all(&content);
        });
        let output = child.wait_with_output().unwrap();
        let _ = feeder.join();
        assert!(
            output.stdout.len() <= eiso_search::item::MAX_BODY_BYTES,
            "{}: {} bytes of text",
            sample.label,
            output.stdout.len()
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        outcomes.push(format!(
            "{:28} {:?} {}",
            sample.label,
            output.status,
            stderr
                .lines()
                .last()
                .unwrap_or_default()
                .chars()
                .take(100)
                .collect::<String>()
        ));
    }
    eprintln!("{}", outcomes.join("\n"));
    // The sparse sheet makes calamine ask for its whole rectangle: 17 billion cells.
    let sparse = outcomes.iter().find(|o| o.starts_with("xlsx-sparse-cells")).unwrap();
    assert!(!sparse.contains("exit status: 0"), "{sparse}");
}
