//! The test harness: starts a real `eiso-server` (the library's `App`) on
//! `127.0.0.1:0` with its own storage — a temporary directory of SQLite files,
//! or a fresh PostgreSQL database when `EISO_TEST_DATABASE_URL` is set — and
//! hands out generated clients carrying a bearer token.

#![allow(clippy::unwrap_used)]

/// The web app through its port as a browser uses it (shared with the page benchmark).
pub use eiso_benchkit::browser;
/// The clock a server reads time from ([`TestServer::start_with_clock`]).
pub use eiso_platform::clock::Clock;
pub mod counter;
pub mod documents;
pub mod notify;
pub mod outward;
pub mod plans;
pub mod portal;
pub mod quality;
pub mod replica;
pub mod search;
pub mod values;
pub mod web;

use std::collections::BTreeMap;
use std::net::SocketAddr;

use eiso_platform::config::Config;
use eiso_proto::eiso::audit::v1::audit_service_client::AuditServiceClient;
use eiso_proto::eiso::documents::v1::document_service_client::DocumentServiceClient;
use eiso_proto::eiso::identity::v1::identity_service_client::IdentityServiceClient;
use eiso_proto::eiso::identity::v1::{
    CreateUnitRequest, CreateUserRequest, LoginRequest, PasswordCredentials, Role, RoleBinding, Unit, UnitKind, User,
    login_request,
};
use eiso_proto::eiso::plans::v1::plan_service_client::PlanServiceClient;
use eiso_proto::eiso::procedures::v1::calendar_service_client::CalendarServiceClient;
use eiso_proto::eiso::procedures::v1::dossier_service_client::DossierServiceClient;
use eiso_proto::eiso::procedures::v1::procedure_service_client::ProcedureServiceClient;
use eiso_proto::eiso::quality::v1::quality_service_client::QualityServiceClient;
use eiso_proto::eiso::search::v1::search_service_client::SearchServiceClient;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use tokio::sync::oneshot;
use tonic::metadata::MetadataValue;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

pub const ADMIN_PASSWORD: &str = "admin-password-for-tests";

/// Adds `authorization: Bearer <token>` to every call.
#[derive(Clone)]
pub struct Bearer(Option<MetadataValue<tonic::metadata::Ascii>>);

impl tonic::service::Interceptor for Bearer {
    fn call(&mut self, mut request: tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status> {
        if let Some(value) = &self.0 {
            request.metadata_mut().insert("authorization", value.clone());
        }
        Ok(request)
    }
}

pub type Identity = IdentityServiceClient<InterceptedService<Channel, Bearer>>;
pub type Audit = AuditServiceClient<InterceptedService<Channel, Bearer>>;
pub type Events =
    eiso_proto::eiso::event::v1::event_service_client::EventServiceClient<InterceptedService<Channel, Bearer>>;
pub type Documents = DocumentServiceClient<InterceptedService<Channel, Bearer>>;
pub type Calendars = CalendarServiceClient<InterceptedService<Channel, Bearer>>;
pub type Catalogue = ProcedureServiceClient<InterceptedService<Channel, Bearer>>;
pub type Dossiers = DossierServiceClient<InterceptedService<Channel, Bearer>>;
pub type SearchClient = SearchServiceClient<InterceptedService<Channel, Bearer>>;
pub type Plans = PlanServiceClient<InterceptedService<Channel, Bearer>>;
pub type Quality = QualityServiceClient<InterceptedService<Channel, Bearer>>;
pub type SyncClient =
    eiso_proto::eiso::sync::v1::sync_service_client::SyncServiceClient<InterceptedService<Channel, Bearer>>;
pub type NotificationClient = eiso_proto::eiso::notify::v1::notification_service_client::NotificationServiceClient<
    InterceptedService<Channel, Bearer>,
>;

/// Where a test server keeps its data.
pub enum Backend {
    Sqlite {
        dir: tempfile::TempDir,
    },
    Postgres {
        admin_url: String,
        database: String,
        url: String,
        /// The server's local files (file store, search index): one
        /// directory per backend, as on SQLite.
        files: tempfile::TempDir,
    },
}

impl Backend {
    /// A fresh SQLite directory, or a fresh PostgreSQL database when
    /// `EISO_TEST_DATABASE_URL` is set.
    pub async fn fresh() -> Self {
        match std::env::var("EISO_TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) {
            None => Backend::Sqlite {
                dir: tempfile::tempdir().unwrap(),
            },
            Some(admin_url) => {
                let database = format!("eiso_t_{}", uuid::Uuid::new_v4().simple());
                let admin = Database::connect(admin_url.as_str()).await.unwrap();
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {database}"))
                    .await
                    .unwrap();
                admin.close().await.unwrap();
                let base = admin_url.rsplit_once('/').map(|(base, _)| base).unwrap_or(&admin_url);
                let url = format!("{base}/{database}");
                Backend::Postgres {
                    admin_url,
                    database,
                    url,
                    files: tempfile::tempdir().unwrap(),
                }
            }
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Backend::Postgres { .. })
    }

    pub fn configure(&self, config: &mut Config) {
        match self {
            Backend::Sqlite { dir } => config.data_dir = dir.path().to_path_buf(),
            Backend::Postgres { url, files, .. } => {
                config.data_dir = files.path().to_path_buf();
                config.database_url = Some(url.clone());
            }
        }
    }

    /// A direct connection to a service's tables, for tests that must reach
    /// under the API (tampering with the audit trail).
    pub async fn connect_raw(&self, service: &str) -> DatabaseConnection {
        match self {
            Backend::Sqlite { dir } => Database::connect(format!(
                "sqlite://{}?mode=rw",
                dir.path().join(format!("{service}.db")).display()
            ))
            .await
            .unwrap(),
            Backend::Postgres { url, .. } => {
                let mut options = sea_orm::ConnectOptions::new(url.clone());
                options.set_schema_search_path(service.to_string()).max_connections(1);
                Database::connect(options).await.unwrap()
            }
        }
    }

    /// Runs `sql` on a service's tables directly, under the API (tampering
    /// with the audit trail, in tests that show it is found).
    pub async fn execute_raw(&self, service: &str, sql: &str) {
        let raw = self.connect_raw(service).await;
        raw.execute_unprepared(sql).await.unwrap();
        raw.close().await.unwrap();
    }

    pub async fn drop_storage(self) {
        let Backend::Postgres {
            admin_url, database, ..
        } = self
        else {
            return;
        };
        if let Ok(admin) = Database::connect(admin_url.as_str()).await {
            let _ = admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
                .await;
            let _ = admin.close().await;
        }
    }
}

/// A running server.
/// A unit with one above (the root), one below and one beside, from
/// [`TestServer::office_with_neighbours`].
pub struct Neighbours {
    pub root: Unit,
    pub office: Unit,
    pub below: Unit,
    pub sibling: Unit,
}

impl Neighbours {
    /// Who reads the office's pages from around it, as rows of
    /// [`web::scoped_readers`]: one bound at the root (an ancestor: sees), at
    /// the team below and at the unit beside (neither sees).
    pub fn around(&self) -> [(&'static str, &str, bool); 3] {
        let [_, around @ ..] =
            web::scoped_readers(&self.office.name, &self.root.name, &self.below.name, &self.sibling.name);
        around
    }
}

pub struct TestServer {
    pub addr: SocketAddr,
    pub channel: Channel,
    pub admin_token: String,
    pub backend: Option<Backend>,
    pub config: Config,
    shutdown: Option<oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

pub fn test_config() -> Config {
    let mut config = Config::load(None, &BTreeMap::new()).unwrap();
    config.admin_password = Some(ADMIN_PASSWORD.to_string());
    config
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_on(Backend::fresh().await).await
    }

    pub async fn start_on(backend: Backend) -> Self {
        Self::start_with_clock(backend, eiso_platform::clock::Clock::system()).await
    }

    /// A server whose services read time from `clock`.
    pub async fn start_with_clock(backend: Backend, clock: eiso_platform::clock::Clock) -> Self {
        Self::start_with(backend, clock, |_| {}).await
    }

    /// A server on a fresh backend with the test configuration as
    /// `configure` changes it.
    pub async fn start_configured(configure: impl FnOnce(&mut Config)) -> Self {
        Self::start_with(Backend::fresh().await, eiso_platform::clock::Clock::system(), configure).await
    }

    /// A server on `backend` with the test configuration as `configure`
    /// changes it (a restored backup, a bucket).
    pub async fn start_on_configured(backend: Backend, configure: impl FnOnce(&mut Config)) -> Self {
        Self::start_with(backend, eiso_platform::clock::Clock::system(), configure).await
    }

    async fn start_with(
        backend: Backend,
        clock: eiso_platform::clock::Clock,
        configure: impl FnOnce(&mut Config),
    ) -> Self {
        let mut config = test_config();
        configure(&mut config);
        backend.configure(&mut config);
        let app = eiso_server::App::prepare_with_clock(config.clone(), clock)
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = oneshot::channel::<()>();
        let handle = tokio::spawn(app.serve(listener, async {
            let _ = rx.await;
        }));
        let channel = Channel::from_shared(format!("http://{addr}"))
            .unwrap()
            .connect()
            .await
            .unwrap();
        let mut server = Self {
            addr,
            channel,
            admin_token: String::new(),
            backend: Some(backend),
            config,
            shutdown: Some(tx),
            handle: Some(handle),
        };
        server.admin_token = server.login("admin", ADMIN_PASSWORD).await.unwrap();
        server
    }

    pub fn identity(&self, token: Option<&str>) -> Identity {
        IdentityServiceClient::with_interceptor(self.channel.clone(), bearer(token))
    }

    pub fn audit(&self, token: Option<&str>) -> Audit {
        AuditServiceClient::with_interceptor(self.channel.clone(), bearer(token))
    }

    /// The event streams' heads (`EventService`).
    pub fn events(&self, token: &str) -> Events {
        eiso_proto::eiso::event::v1::event_service_client::EventServiceClient::with_interceptor(
            self.channel.clone(),
            bearer(Some(token)),
        )
    }

    pub fn documents(&self, token: &str) -> Documents {
        DocumentServiceClient::with_interceptor(self.channel.clone(), bearer(Some(token)))
            .max_decoding_message_size(64 << 20)
            .max_encoding_message_size(64 << 20)
    }

    pub fn calendars(&self, token: &str) -> Calendars {
        CalendarServiceClient::with_interceptor(self.channel.clone(), bearer(Some(token)))
    }

    pub fn dossiers(&self, token: &str) -> Dossiers {
        DossierServiceClient::with_interceptor(self.channel.clone(), bearer(Some(token)))
    }

    pub fn catalogue(&self, token: &str) -> Catalogue {
        ProcedureServiceClient::with_interceptor(self.channel.clone(), bearer(Some(token)))
    }

    pub fn plans(&self, token: &str) -> Plans {
        PlanServiceClient::with_interceptor(self.channel.clone(), bearer(Some(token)))
            .max_decoding_message_size(64 << 20)
            .max_encoding_message_size(64 << 20)
    }

    pub fn quality(&self, token: &str) -> Quality {
        QualityServiceClient::with_interceptor(self.channel.clone(), bearer(Some(token)))
            .max_decoding_message_size(64 << 20)
            .max_encoding_message_size(64 << 20)
    }

    pub fn search(&self, token: &str) -> SearchClient {
        SearchServiceClient::with_interceptor(self.channel.clone(), bearer(Some(token)))
    }

    pub fn notifications(&self, token: &str) -> NotificationClient {
        eiso_proto::eiso::notify::v1::notification_service_client::NotificationServiceClient::with_interceptor(
            self.channel.clone(),
            bearer(Some(token)),
        )
    }

    pub fn sync(&self, token: &str) -> SyncClient {
        eiso_proto::eiso::sync::v1::sync_service_client::SyncServiceClient::with_interceptor(
            self.channel.clone(),
            bearer(Some(token)),
        )
    }

    pub fn admin(&self) -> Identity {
        self.identity(Some(&self.admin_token))
    }

    pub async fn login(&self, username: &str, password: &str) -> Result<String, tonic::Status> {
        let response = self
            .identity(None)
            .login(LoginRequest {
                credentials: Some(login_request::Credentials::Password(PasswordCredentials {
                    username: username.into(),
                    password: password.into(),
                })),
            })
            .await?;
        Ok(response.into_inner().access_token)
    }

    /// Signs the machine client `client_id` in with `client_secret`: the
    /// login's answer (its token and principal) or the refusal.
    pub async fn login_client(
        &self,
        client_id: &str,
        client_secret: &str,
    ) -> Result<eiso_proto::eiso::identity::v1::LoginResponse, tonic::Status> {
        self.identity(None)
            .login(LoginRequest {
                credentials: Some(login_request::Credentials::Client(
                    eiso_proto::eiso::identity::v1::ClientCredentials {
                        client_id: client_id.into(),
                        client_secret: client_secret.into(),
                    },
                )),
            })
            .await
            .map(|r| r.into_inner())
    }

    /// A new API client bound at the root unit with `roles`, created by a
    /// freshly signed-in administrator (some servers here issue short
    /// tokens): what `CreateApiClient` answered, its secret included.
    pub async fn root_api_client(
        &self,
        display_name: &str,
        roles: &[Role],
    ) -> eiso_proto::eiso::identity::v1::CreateApiClientResponse {
        let root = self.root_unit().await;
        let admin_token = self.login("admin", ADMIN_PASSWORD).await.unwrap();
        self.identity(Some(&admin_token))
            .create_api_client(eiso_proto::eiso::identity::v1::CreateApiClientRequest {
                api_client: Some(eiso_proto::eiso::identity::v1::ApiClient {
                    display_name: display_name.into(),
                    role_bindings: roles
                        .iter()
                        .map(|role| eiso_proto::eiso::identity::v1::RoleBinding {
                            role: *role as i32,
                            unit: root.name.clone(),
                        })
                        .collect(),
                    ..Default::default()
                }),
                request_id: String::new(),
            })
            .await
            .unwrap()
            .into_inner()
    }

    /// The `[upstream]` of a process that follows this server, signed in
    /// as a new API client bound at the root unit with `roles`.
    pub async fn upstream_as(&self, display_name: &str, roles: &[Role]) -> eiso_platform::config::UpstreamConfig {
        let created = self.root_api_client(display_name, roles).await;
        eiso_platform::config::UpstreamConfig::new(format!("http://{}", self.addr))
            .with_service_identity(created.client_id, created.client_secret)
    }

    /// The entries of `trail` (`trails/…`) that `filter` selects, as the
    /// admin lists them: one page of the default size.
    pub async fn audit_entries(&self, trail: &str, filter: &str) -> Vec<eiso_proto::eiso::audit::v1::AuditEntry> {
        self.audit(Some(&self.admin_token))
            .list_audit_entries(eiso_proto::eiso::audit::v1::ListAuditEntriesRequest {
                parent: trail.into(),
                filter: filter.into(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
            .audit_entries
    }

    /// `trail`'s hash chain (`trails/…`) as the admin has it verified.
    pub async fn verify_trail(&self, trail: &str) -> eiso_proto::eiso::audit::v1::VerifyAuditTrailResponse {
        self.audit(Some(&self.admin_token))
            .verify_audit_trail(eiso_proto::eiso::audit::v1::VerifyAuditTrailRequest { name: trail.into() })
            .await
            .unwrap()
            .into_inner()
    }

    /// The identity service's outbox as the admin follows it: every event
    /// after `after_sequence`, then the live ones.
    pub async fn identity_events_after(
        &self,
        after_sequence: i64,
    ) -> tonic::Streaming<eiso_proto::eiso::identity::v1::WatchEventsResponse> {
        self.admin()
            .watch_events(eiso_proto::eiso::identity::v1::WatchEventsRequest { after_sequence })
            .await
            .unwrap()
            .into_inner()
    }

    /// The admin's root unit.
    pub async fn root_unit(&self) -> Unit {
        let units = self
            .admin()
            .list_units(eiso_proto::eiso::identity::v1::ListUnitsRequest {
                filter: "code = ROOT".into(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
            .units;
        units.into_iter().next().unwrap()
    }

    /// The units a scoping test asks from: "Phòng Giáo dục và Đào tạo" under
    /// the root, a team below it and "Phòng Tư pháp" beside it.
    pub async fn office_with_neighbours(&self) -> Neighbours {
        let root = self.root_unit().await;
        let office = self.create_unit("PGD", "Phòng Giáo dục và Đào tạo", &root.name).await;
        let below = self.create_unit("PGD-TO", "Tổ Tổng hợp", &office.name).await;
        let sibling = self.create_unit("PTP", "Phòng Tư pháp", &root.name).await;
        Neighbours {
            root,
            office,
            below,
            sibling,
        }
    }

    pub async fn create_unit(&self, code: &str, name: &str, parent: &str) -> Unit {
        self.create_unit_of_kind(code, name, UnitKind::Office, parent).await
    }

    pub async fn create_unit_of_kind(&self, code: &str, name: &str, kind: UnitKind, parent: &str) -> Unit {
        self.admin()
            .create_unit(CreateUnitRequest {
                unit: Some(Unit {
                    code: code.into(),
                    display_name: name.into(),
                    kind: kind as i32,
                    parent: parent.into(),
                    ..Default::default()
                }),
                request_id: String::new(),
            })
            .await
            .unwrap()
            .into_inner()
    }

    /// Creates a user with one role in `unit` and returns it with a token.
    pub async fn user_with_role(&self, username: &str, role: Role, unit: &str) -> (User, String) {
        self.user_with_bindings(username, &[(role, unit)]).await
    }

    /// A browser signed in to the web app as a new user `username` with
    /// `role` in `unit`.
    pub async fn signed_in(&self, username: &str, role: Role, unit: &str) -> browser::Browser {
        self.signed_in_as(username, role, unit).await.1
    }

    /// Creates a user with these role bindings and returns it with a token.
    pub async fn user_with_bindings(&self, username: &str, bindings: &[(Role, &str)]) -> (User, String) {
        let password = format!("{username}-password");
        let user = self
            .admin()
            .create_user(new_user(
                username,
                &format!("Người dùng {username}"),
                bindings,
                &password,
            ))
            .await
            .unwrap()
            .into_inner();
        let token = self.login(username, &password).await.unwrap();
        (user, token)
    }

    /// Stops the server (graceful shutdown) and removes its storage.
    pub async fn stop(mut self) {
        self.shutdown_server().await;
        if let Some(backend) = self.backend.take() {
            backend.drop_storage().await;
        }
    }

    /// Stops the server and keeps its storage, to start another on it.
    pub async fn stop_keep(mut self) -> Backend {
        self.shutdown_server().await;
        self.backend.take().unwrap()
    }

    async fn shutdown_server(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(handle) = self.handle.take() {
            handle.await.unwrap().unwrap();
        }
    }
}

/// The request that creates the user `username` called `display_name`
/// with these role bindings and `password`, without a request id.
pub fn new_user(username: &str, display_name: &str, bindings: &[(Role, &str)], password: &str) -> CreateUserRequest {
    CreateUserRequest {
        user: Some(User {
            username: username.into(),
            display_name: display_name.into(),
            role_bindings: bindings
                .iter()
                .map(|(role, unit)| RoleBinding {
                    role: *role as i32,
                    unit: unit.to_string(),
                })
                .collect(),
            ..Default::default()
        }),
        password: password.into(),
        request_id: String::new(),
    }
}

/// The request that disables `user`'s account (its state only), without an
/// etag.
pub fn disable_user(user: &User) -> eiso_proto::eiso::identity::v1::UpdateUserRequest {
    eiso_proto::eiso::identity::v1::UpdateUserRequest {
        user: Some(User {
            state: eiso_proto::eiso::identity::v1::user::State::Disabled as i32,
            ..user.clone()
        }),
        update_mask: values::mask(&["state"]),
        etag: String::new(),
    }
}

pub fn bearer(token: Option<&str>) -> Bearer {
    Bearer(token.map(|t| format!("Bearer {t}").parse().unwrap()))
}

/// The status the health service of the process at `channel` gives
/// `service` (`""`: the server as a whole).
pub async fn health_status(channel: Channel, service: &str) -> i32 {
    tonic_health::pb::health_client::HealthClient::new(channel)
        .check(tonic_health::pb::HealthCheckRequest {
            service: service.into(),
        })
        .await
        .expect("the health service answers")
        .into_inner()
        .status
}

/// The names of the audit trails the process at `channel` lists to the
/// bearer of `token`.
pub async fn trail_names(channel: Channel, token: &str) -> Vec<String> {
    eiso_proto::eiso::audit::v1::audit_service_client::AuditServiceClient::with_interceptor(
        channel,
        bearer(Some(token)),
    )
    .list_audit_trails(eiso_proto::eiso::audit::v1::ListAuditTrailsRequest::default())
    .await
    .expect("the trails are listed")
    .into_inner()
    .audit_trails
    .into_iter()
    .map(|trail| trail.name)
    .collect()
}
