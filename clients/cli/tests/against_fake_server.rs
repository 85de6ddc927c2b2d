//! Runs the `eiso` binary against a fake identity and audit server on
//! `127.0.0.1:0`, the way a person runs it, and checks what goes over the
//! wire (token, reason metadata, request fields) and what the person sees
//! (output, messages, exit codes).
//!
//! The fake answers a handful of methods with canned data; the real server's
//! behaviour is tested in the workspace integration tests.

#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::sync::{Arc, Mutex};

use chrono::{Duration, Utc};
use eiso_proto::eiso::audit::v1::audit_service_server::{AuditService, AuditServiceServer};
use eiso_proto::eiso::audit::v1::{
    ListAuditEntriesRequest, ListAuditEntriesResponse, VerifyAuditTrailRequest, VerifyAuditTrailResponse,
};
use eiso_proto::eiso::identity::v1::identity_service_server::{IdentityService, IdentityServiceServer};
use eiso_proto::eiso::identity::v1::login_request::Credentials;
use eiso_proto::eiso::identity::v1::*;
use eiso_proto::prost_types::Timestamp;
use eiso_proto::tonic::codegen::tokio_stream;
use eiso_proto::tonic::metadata::MetadataMap;
use eiso_proto::tonic::transport::Server;
use eiso_proto::tonic::transport::server::TcpIncoming;
use eiso_proto::tonic::{self, Code, Request, Response, Status};
use eiso_proto::tonic_types::{ErrorDetails, StatusExt};
use serde_json::Value;
use tokio::net::TcpListener;

const TOKEN: &str = "tok-1";
const PASSWORD: &str = "mật khẩu đúng 123";

/// What one call carried.
#[derive(Clone, Debug)]
struct Seen {
    method: &'static str,
    authorization: Option<String>,
    reason: Option<String>,
    /// A request field worth checking (request id, reason field, …).
    field: String,
}

#[derive(Clone, Default)]
struct Fake {
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Fake {
    fn record(&self, method: &'static str, metadata: &MetadataMap, field: impl Into<String>) {
        let authorization = metadata
            .get("authorization")
            .and_then(|value| value.to_str().ok())
            .map(str::to_string);
        let reason = metadata
            .get_bin("eiso-reason-bin")
            .and_then(|value| value.to_bytes().ok())
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
        self.seen.lock().unwrap().push(Seen {
            method,
            authorization,
            reason,
            field: field.into(),
        });
    }

    fn seen(&self, method: &str) -> Vec<Seen> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|seen| seen.method == method)
            .cloned()
            .collect()
    }
}

fn check_token(metadata: &MetadataMap) -> Result<(), Status> {
    match metadata.get("authorization").and_then(|value| value.to_str().ok()) {
        Some(value) if value == format!("Bearer {TOKEN}") => Ok(()),
        _ => Err(Status::unauthenticated("missing or invalid token")),
    }
}

fn time(seconds: i64) -> Option<Timestamp> {
    Some(Timestamp { seconds, nanos: 0 })
}

fn unit(id: &str, code: &str, display_name: &str) -> Unit {
    Unit {
        name: format!("units/{id}"),
        code: code.to_string(),
        display_name: display_name.to_string(),
        kind: UnitKind::PrimarySchool as i32,
        parent: "units/gddt".to_string(),
        state: unit::State::Active as i32,
        // 2025-07-01T00:00:00Z, 07:00 in Hà Nội.
        create_time: time(1_751_328_000),
        update_time: time(1_751_328_000),
        etag: "e1".to_string(),
        ..Unit::default()
    }
}

fn unimplemented<T>() -> Result<Response<T>, Status> {
    Err(Status::unimplemented("not in the fake"))
}

#[tonic::async_trait]
impl IdentityService for Fake {
    async fn login(&self, request: Request<LoginRequest>) -> Result<Response<LoginResponse>, Status> {
        self.record("Login", request.metadata(), "");
        match request.into_inner().credentials {
            Some(Credentials::Password(credentials))
                if credentials.username == "admin" && credentials.password == PASSWORD =>
            {
                let expire = Utc::now() + Duration::hours(8);
                Ok(Response::new(LoginResponse {
                    access_token: TOKEN.to_string(),
                    expire_time: time(expire.timestamp()),
                    principal: "users/admin".to_string(),
                }))
            }
            _ => Err(Status::unauthenticated("invalid credentials")),
        }
    }

    async fn who_am_i(&self, request: Request<WhoAmIRequest>) -> Result<Response<WhoAmIResponse>, Status> {
        self.record("WhoAmI", request.metadata(), "");
        check_token(request.metadata())?;
        Ok(Response::new(WhoAmIResponse {
            principal: "users/admin".to_string(),
            display_name: "Nguyễn Văn Quản Trị".to_string(),
            username: "admin".to_string(),
            role_bindings: vec![RoleBinding {
                role: Role::Admin as i32,
                unit: "units/gddt".to_string(),
            }],
            expire_time: time((Utc::now() + Duration::hours(8)).timestamp()),
        }))
    }

    async fn create_unit(&self, request: Request<CreateUnitRequest>) -> Result<Response<Unit>, Status> {
        let request_id = request.get_ref().request_id.clone();
        self.record("CreateUnit", request.metadata(), request_id);
        check_token(request.metadata())?;
        let new = request.into_inner().unit.unwrap_or_default();
        if new.code.is_empty() {
            let mut details = ErrorDetails::new();
            details.add_bad_request_violation("unit.code", "must not be empty");
            return Err(Status::with_error_details(
                Code::InvalidArgument,
                "invalid unit",
                details,
            ));
        }
        Ok(Response::new(Unit {
            kind: new.kind,
            ..unit("new", &new.code, &new.display_name)
        }))
    }

    async fn get_unit(&self, request: Request<GetUnitRequest>) -> Result<Response<Unit>, Status> {
        self.record("GetUnit", request.metadata(), request.get_ref().name.clone());
        check_token(request.metadata())?;
        Err(Status::not_found("no such unit"))
    }

    async fn list_units(&self, request: Request<ListUnitsRequest>) -> Result<Response<ListUnitsResponse>, Status> {
        self.record("ListUnits", request.metadata(), request.get_ref().page_token.clone());
        check_token(request.metadata())?;
        let response = match request.get_ref().page_token.as_str() {
            "" => ListUnitsResponse {
                units: vec![unit("kd", "31-TH-KD", "Trường Tiểu học Kim Đồng")],
                next_page_token: "p2".to_string(),
            },
            "p2" => ListUnitsResponse {
                units: vec![unit("ltt", "31-TH-LTT", "Trường Tiểu học Lê Thị Tươi")],
                next_page_token: String::new(),
            },
            _ => return Err(Status::invalid_argument("bad page token")),
        };
        Ok(Response::new(response))
    }

    async fn update_unit(&self, request: Request<UpdateUnitRequest>) -> Result<Response<Unit>, Status> {
        let paths = request
            .get_ref()
            .update_mask
            .as_ref()
            .map(|mask| mask.paths.join(","))
            .unwrap_or_default();
        self.record("UpdateUnit", request.metadata(), paths);
        check_token(request.metadata())?;
        Err(Status::aborted("etag mismatch"))
    }

    async fn rename_unit(&self, request: Request<RenameUnitRequest>) -> Result<Response<Unit>, Status> {
        self.record("RenameUnit", request.metadata(), request.get_ref().reason.clone());
        check_token(request.metadata())?;
        let request = request.into_inner();
        Ok(Response::new(unit(
            request.name.trim_start_matches("units/"),
            "31-TH-KD",
            &request.display_name,
        )))
    }

    async fn merge_units(&self, _: Request<MergeUnitsRequest>) -> Result<Response<MergeUnitsResponse>, Status> {
        unimplemented()
    }

    async fn dissolve_unit(&self, request: Request<DissolveUnitRequest>) -> Result<Response<Unit>, Status> {
        self.record("DissolveUnit", request.metadata(), "");
        check_token(request.metadata())?;
        let details = ErrorDetails::with_precondition_failure_violation(
            "ACTIVE_CHILDREN",
            request.get_ref().name.clone(),
            "the unit has active children: name a successor",
        );
        Err(Status::with_error_details(
            Code::FailedPrecondition,
            "cannot dissolve the unit",
            details,
        ))
    }

    async fn create_user(&self, _: Request<CreateUserRequest>) -> Result<Response<User>, Status> {
        unimplemented()
    }

    async fn get_user(&self, _: Request<GetUserRequest>) -> Result<Response<User>, Status> {
        unimplemented()
    }

    async fn list_users(&self, _: Request<ListUsersRequest>) -> Result<Response<ListUsersResponse>, Status> {
        unimplemented()
    }

    async fn update_user(&self, _: Request<UpdateUserRequest>) -> Result<Response<User>, Status> {
        unimplemented()
    }

    async fn set_user_password(&self, _: Request<SetUserPasswordRequest>) -> Result<Response<()>, Status> {
        unimplemented()
    }

    async fn create_api_client(
        &self,
        _: Request<CreateApiClientRequest>,
    ) -> Result<Response<CreateApiClientResponse>, Status> {
        unimplemented()
    }

    async fn get_api_client(&self, _: Request<GetApiClientRequest>) -> Result<Response<ApiClient>, Status> {
        unimplemented()
    }

    async fn list_api_clients(
        &self,
        _: Request<ListApiClientsRequest>,
    ) -> Result<Response<ListApiClientsResponse>, Status> {
        unimplemented()
    }

    async fn revoke_api_client(&self, _: Request<RevokeApiClientRequest>) -> Result<Response<ApiClient>, Status> {
        unimplemented()
    }

    type WatchEventsStream = tokio_stream::Empty<Result<WatchEventsResponse, Status>>;

    async fn watch_events(&self, _: Request<WatchEventsRequest>) -> Result<Response<Self::WatchEventsStream>, Status> {
        Ok(Response::new(tokio_stream::empty()))
    }
}

#[tonic::async_trait]
impl AuditService for Fake {
    async fn list_audit_entries(
        &self,
        _: Request<ListAuditEntriesRequest>,
    ) -> Result<Response<ListAuditEntriesResponse>, Status> {
        unimplemented()
    }

    async fn verify_audit_trail(
        &self,
        request: Request<VerifyAuditTrailRequest>,
    ) -> Result<Response<VerifyAuditTrailResponse>, Status> {
        self.record("VerifyAuditTrail", request.metadata(), request.get_ref().name.clone());
        check_token(request.metadata())?;
        Ok(Response::new(VerifyAuditTrailResponse {
            intact: false,
            entries_checked: 40,
            first_broken_sequence: 17,
            detail: "hash mismatch".to_string(),
        }))
    }
}

async fn start_fake() -> (Fake, SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let fake = Fake::default();
    let service = fake.clone();
    tokio::spawn(async move {
        Server::builder()
            .add_service(IdentityServiceServer::new(service.clone()))
            .add_service(AuditServiceServer::new(service))
            .serve_with_incoming(TcpIncoming::from(listener))
            .await
    });
    (fake, address)
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

async fn eiso(config_dir: &Path, server: SocketAddr, args: &[&str], stdin: &str) -> Run {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_eiso"));
    command
        .args(args)
        .env("EISO_CONFIG_DIR", config_dir)
        .env("EISO_SERVER", format!("http://{server}"))
        .env_remove("EISO_TOKEN")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let stdin = stdin.to_string();
    // The fake server runs on this runtime: wait for the child elsewhere.
    tokio::task::spawn_blocking(move || {
        let mut child = command.spawn().unwrap();
        let mut input = child.stdin.take().unwrap();
        input.write_all(stdin.as_bytes()).unwrap();
        drop(input);
        let Output { status, stdout, stderr } = child.wait_with_output().unwrap();
        Run {
            code: status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
        }
    })
    .await
    .unwrap()
}

fn scratch_dir() -> PathBuf {
    std::env::temp_dir().join(format!("eiso-cli-e2e-{}", uuid::Uuid::new_v4()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_from_login_to_logout() {
    let (fake, server) = start_fake().await;
    let dir = scratch_dir();
    let session_file = dir.join("session.json");

    // Not signed in: refused locally, nothing sent.
    let run = eiso(&dir, server, &["whoami"], "").await;
    assert_eq!(run.code, 26, "{}", run.stderr);
    assert!(run.stderr.contains("not signed in"), "{}", run.stderr);
    assert!(fake.seen("WhoAmI").is_empty());

    // A wrong password.
    let run = eiso(
        &dir,
        server,
        &["login", "--username", "admin", "--password-stdin"],
        "sai\n",
    )
    .await;
    assert_eq!(run.code, 26, "{}", run.stderr);
    assert!(run.stderr.contains("sign-in refused"), "{}", run.stderr);
    assert!(!session_file.exists());

    // The right one, with a Vietnamese password.
    let run = eiso(
        &dir,
        server,
        &["login", "--username", "admin", "--password-stdin"],
        &format!("{PASSWORD}\n"),
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("as users/admin"), "{}", run.stdout);
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&session_file).unwrap()).unwrap();
    assert_eq!(saved["token"], TOKEN);
    assert_eq!(saved["principal"], "users/admin");
    assert_eq!(saved["server"], format!("http://{server}"));
    assert!(saved["expire_time"].as_str().unwrap().ends_with('Z'));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&session_file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    // The saved token is sent.
    let run = eiso(&dir, server, &["whoami", "-o", "json"], "").await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let me: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(me["display_name"], "Nguyễn Văn Quản Trị");
    assert_eq!(me["role_bindings"][0]["role"], "ROLE_ADMIN");
    let whoami = fake.seen("WhoAmI");
    assert_eq!(whoami[0].authorization.as_deref(), Some("Bearer tok-1"));

    // Logout deletes the session.
    let run = eiso(&dir, server, &["logout"], "").await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!session_file.exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_session_is_not_sent() {
    let (fake, server) = start_fake().await;
    let dir = scratch_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let expired = serde_json::json!({
        "server": format!("http://{server}"),
        "token": TOKEN,
        "expire_time": "2025-07-01T00:00:00Z",
        "principal": "users/admin",
    });
    std::fs::write(dir.join("session.json"), expired.to_string()).unwrap();
    let run = eiso(&dir, server, &["units", "list"], "").await;
    assert_eq!(run.code, 26, "{}", run.stderr);
    assert!(run.stderr.contains("expired at 01/07/2025 07:00"), "{}", run.stderr);
    assert!(run.stderr.contains("eiso login"), "{}", run.stderr);
    assert!(fake.seen("ListUnits").is_empty(), "the expired token was sent");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn units_commands_over_the_wire() {
    let (fake, server) = start_fake().await;
    let dir = scratch_dir();
    let token = ["--token", TOKEN];
    let with = |args: &[&'static str]| -> Vec<&'static str> { token.iter().chain(args).copied().collect() };

    // One page as a table, in Hà Nội time, with a hint for the next page.
    let run = eiso(&dir, server, &with(&["units", "list"]), "").await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("Trường Tiểu học Kim Đồng"), "{}", run.stdout);
    assert!(run.stdout.contains("01/07/2025 07:00"), "{}", run.stdout);
    assert!(!run.stdout.contains("Lê Thị Tươi"), "{}", run.stdout);
    assert!(run.stderr.contains("--page-token p2"), "{}", run.stderr);

    // Every page as JSON.
    let run = eiso(&dir, server, &with(&["units", "list", "--all", "-o", "json"]), "").await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let listed: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(listed["units"].as_array().map(Vec::len), Some(2));
    assert_eq!(listed["units"][1]["display_name"], "Trường Tiểu học Lê Thị Tươi");
    assert_eq!(listed["units"][0]["create_time"], "2025-07-01T00:00:00Z");
    assert_eq!(listed["units"][0]["kind"], "UNIT_KIND_PRIMARY_SCHOOL");
    assert_eq!(listed["next_page_token"], "");

    // A refused create lists the field; the request carried a UUID request id.
    let run = eiso(
        &dir,
        server,
        &with(&[
            "units",
            "create",
            "--code",
            "",
            "--name",
            "Trường Mầm non Hoa Sen",
            "--kind",
            "preschool",
        ]),
        "",
    )
    .await;
    assert_eq!(run.code, 13, "{}", run.stderr);
    assert!(
        run.stderr.contains("\n  unit.code: must not be empty"),
        "{}",
        run.stderr
    );
    let created = fake.seen("CreateUnit");
    assert!(uuid::Uuid::parse_str(&created[0].field).is_ok(), "{created:?}");

    // A rename carries the Vietnamese reason as binary metadata and in the request.
    let reason = "Quyết định số 12/QĐ-UBND về đổi tên trường";
    let run = eiso(
        &dir,
        server,
        &[
            "--token",
            TOKEN,
            "units",
            "rename",
            "kd",
            "--name",
            "Trường Tiểu học Kim Đồng mới",
            "--reason",
            reason,
        ],
        "",
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let renamed = fake.seen("RenameUnit");
    assert_eq!(renamed[0].reason.as_deref(), Some(reason));
    assert_eq!(renamed[0].field, reason);
    assert_eq!(renamed[0].authorization.as_deref(), Some("Bearer tok-1"));

    // Rename without a reason is refused before calling.
    let run = eiso(&dir, server, &with(&["units", "rename", "kd", "--name", "X"]), "").await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(fake.seen("RenameUnit").len(), 1);

    // The update mask names the flags given; ABORTED asks to fetch again.
    let run = eiso(
        &dir,
        server,
        &with(&["units", "update", "kd", "--kind", "office", "--etag", "old"]),
        "",
    )
    .await;
    assert_eq!(run.code, 20, "{}", run.stderr);
    assert!(run.stderr.contains("fetch it again (etag mismatch)"), "{}", run.stderr);
    assert_eq!(fake.seen("UpdateUnit")[0].field, "kind");

    // FAILED_PRECONDITION shows the precondition violation.
    let run = eiso(
        &dir,
        server,
        &with(&["units", "dissolve", "kd", "--reason", "giải thể"]),
        "",
    )
    .await;
    assert_eq!(run.code, 19, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("ACTIVE_CHILDREN units/kd: the unit has active children"),
        "{}",
        run.stderr
    );

    // NOT_FOUND and UNIMPLEMENTED have their own exit codes.
    let run = eiso(&dir, server, &with(&["units", "show", "units/none"]), "").await;
    assert_eq!(run.code, 15, "{}", run.stderr);
    let run = eiso(&dir, server, &with(&["users", "list"]), "").await;
    assert_eq!(run.code, 22, "{}", run.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_trail_exits_with_1() {
    let (fake, server) = start_fake().await;
    let dir = scratch_dir();
    let run = eiso(&dir, server, &["--token", TOKEN, "audit", "verify"], "").await;
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("first broken entry is sequence 17"),
        "{}",
        run.stderr
    );
    assert_eq!(fake.seen("VerifyAuditTrail")[0].field, "trails/identity");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_server_means_unavailable() {
    // Bind and drop a listener to get a port nobody listens on.
    let address = {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.local_addr().unwrap()
    };
    let dir = scratch_dir();
    let run = eiso(&dir, address, &["--token", TOKEN, "units", "list"], "").await;
    assert_eq!(run.code, 24, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "cannot reach the server at http://{address}: is eiso-server running?"
        )),
        "{}",
        run.stderr
    );
}
