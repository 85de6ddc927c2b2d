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

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use eiso_proto::eiso::documents::v1::document_service_client::DocumentServiceClient;
use eiso_proto::eiso::documents::v1::*;
use eiso_proto::eiso::identity::v1::identity_service_client::IdentityServiceClient;
use eiso_proto::eiso::identity::v1::{
    CreateUnitRequest, CreateUserRequest, LoginRequest, PasswordCredentials, Role, RoleBinding, Unit, UnitKind, User,
    login_request,
};
use eiso_proto::eiso::plans::v1::plan_service_client::PlanServiceClient;
use eiso_proto::eiso::plans::v1::{ImportPlanRequest, Plan};
use eiso_proto::eiso::procedures::v1::procedure_service_client::ProcedureServiceClient;
use eiso_proto::eiso::procedures::v1::{ImportProceduresRequest, TableFormat};
use eiso_proto::eiso::search::v1::search_service_client::SearchServiceClient;
use eiso_proto::eiso::search::v1::{GetIndexStatusRequest, SearchRequest};
use eiso_tests::{ADMIN_PASSWORD, Backend, bearer};
use eiso_untrusted::corpus::{self, Kind, Sample};
use tonic::transport::{Channel, Endpoint};

/// The server's address-space cap, KiB (4 GiB: mimalloc and thread stacks
/// reserve address space, so the cap is on what is mapped, not resident).
const CAP_KIB: u64 = 4 << 20;
/// Resident memory the server may reach while taking in the whole corpus.
const MAX_RESIDENT_KIB: u64 = 1 << 20;
const START_DEADLINE: Duration = Duration::from_secs(90);
const SERVER: &str = env!("CARGO_BIN_EXE_eiso-server");

struct ServerProcess {
    child: Child,
    addr: SocketAddr,
    log: PathBuf,
}

impl ServerProcess {
    /// Starts the server under `ulimit -v CAP_KIB` and waits until it serves.
    async fn start(data_dir: &std::path::Path, database_url: Option<&str>, log: PathBuf) -> Self {
        let file = std::fs::File::create(&log).unwrap();
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(format!("ulimit -v {CAP_KIB} && exec \"$0\" \"$@\""))
            .arg(SERVER)
            .args(["--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir);
        if let Some(url) = database_url {
            command.args(["--database-url", url]);
        }
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("EISO_") {
                command.env_remove(name);
            }
        }
        command
            .env_remove("RUST_LOG")
            .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
            .env("EISO_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("EISO_LOG", "info")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::from(file.try_clone().unwrap()))
            .stderr(Stdio::from(file));
        let child = command.spawn().unwrap();
        let mut server = ServerProcess {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            log,
        };
        let deadline = Instant::now() + START_DEADLINE;
        loop {
            server.assert_alive();
            let log = std::fs::read_to_string(&server.log).unwrap_or_default();
            if let Some(line) = log.lines().find(|l| l.contains("eiso-server serving"))
                && let Some((_, rest)) = line.split_once("address=")
                && let Some(addr) = rest.split_whitespace().next().and_then(|a| a.parse().ok())
            {
                server.addr = addr;
                return server;
            }
            assert!(Instant::now() < deadline, "no start:\n{}", server.log_tail());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn assert_alive(&mut self) {
        if let Some(status) = self.child.try_wait().unwrap() {
            panic!("eiso-server died ({status}):\n{}", self.log_tail());
        }
    }

    /// (VmPeak, VmHWM) in KiB, from /proc.
    fn memory(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse().ok())
                .unwrap()
        };
        (field("VmPeak:"), field("VmHWM:"))
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("--- server log (last lines) ---\n{}", self.log_tail());
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn connect(addr: SocketAddr) -> Channel {
    Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .timeout(Duration::from_secs(120))
        .connect()
        .await
        .unwrap()
}

async fn login(channel: &Channel, username: &str, password: &str) -> String {
    IdentityServiceClient::new(channel.clone())
        .login(LoginRequest {
            credentials: Some(login_request::Credentials::Password(PasswordCredentials {
                username: username.into(),
                password: password.into(),
            })),
        })
        .await
        .unwrap()
        .into_inner()
        .access_token
}

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
    let (data_dir, url, _blob_dir) = match &backend {
        Backend::Sqlite { dir } => (dir.path().to_path_buf(), None, None),
        Backend::Postgres { url, .. } => {
            let dir = tempfile::tempdir().unwrap();
            (dir.path().to_path_buf(), Some(url.clone()), Some(dir))
        }
    };
    let logs = tempfile::tempdir().unwrap();
    let mut server = ServerProcess::start(&data_dir, url.as_deref(), logs.path().join("server.log")).await;
    let (_, resident_at_start) = server.memory();
    let channel = connect(server.addr).await;
    let admin_token = login(&channel, "admin", ADMIN_PASSWORD).await;

    // A unit and its document controller, who keeps records.
    let mut identity = IdentityServiceClient::with_interceptor(channel.clone(), bearer(Some(&admin_token)));
    let unit = identity
        .create_unit(CreateUnitRequest {
            unit: Some(Unit {
                code: "PGD".into(),
                display_name: "Phòng Giáo dục và Đào tạo".into(),
                kind: UnitKind::Office as i32,
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    identity
        .create_user(CreateUserRequest {
            user: Some(User {
                username: "thu.ky".into(),
                display_name: "Thư ký ISO".into(),
                role_bindings: vec![RoleBinding {
                    role: Role::DocumentController as i32,
                    unit: unit.name.clone(),
                }],
                ..Default::default()
            }),
            password: "thu.ky-password".into(),
            request_id: String::new(),
        })
        .await
        .unwrap();
    let controller_token = login(&channel, "thu.ky", "thu.ky-password").await;
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
                    issuing_unit: unit.name.clone(),
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
                    owner_unit: unit.name.clone(),
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
