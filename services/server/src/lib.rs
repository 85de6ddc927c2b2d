//! `eiso-server`: every eiso service in one process on one port, with gRPC,
//! gRPC-Web, the standard health service, server reflection and the office's
//! web app (`eiso-web`) for browsers. Or some of them (`services`,
//! [`Hosting`]): identity alone, or every service but identity with identity
//! in another process; a search replica is [`SearchReplica`].
//!
//! [`App::prepare`] opens storage (running migrations), sets up identity and
//! the first administrator; [`App::serve`] serves on a listener until the
//! shutdown future completes. Tests bind `127.0.0.1:0` and call both.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

mod directory;
mod dossier_facts;
mod files;
mod gauges;
pub mod links;
pub mod measures;
mod notifications;
mod outbound;
mod portal_sync;
mod readiness;
pub mod reflection;
mod relay;
mod remote_reads;
pub mod review_sources;
mod search_reads;
mod search_replica;
mod search_sources;
mod tls;
pub mod transfer;

use eiso_documents::{DocumentApi, Documents};
use eiso_identity::{AdminSetup, Identity, IdentityApi, IdentityVerifier};
use eiso_plans::{PlanApi, Plans};
use eiso_platform::Journal;
use eiso_platform::audit_service::AuditApi;
use eiso_platform::clock::Clock;
use eiso_platform::config::Config;
use eiso_platform::config::Hosting;
use eiso_platform::db::{Db, StorageTarget};
use eiso_platform::directory::Directory;
use eiso_platform::event_service::EventApi;
use eiso_platform::gateway::GatewayLayer;
use eiso_platform::gateway::TokenVerifier;
use eiso_platform::lease::Lease;
use eiso_procedures::{CalendarApi, DossierApi, ProcedureApi, Procedures};
use eiso_proto::eiso::audit::v1::audit_service_server::AuditServiceServer;
use eiso_proto::eiso::documents::v1::document_service_server::DocumentServiceServer;
use eiso_proto::eiso::event::v1::event_service_server::EventServiceServer;
use eiso_proto::eiso::identity::v1::identity_service_server::IdentityServiceServer;
use eiso_proto::eiso::notify::v1::notification_service_server::NotificationServiceServer;
use eiso_proto::eiso::plans::v1::plan_service_server::PlanServiceServer;
use eiso_proto::eiso::procedures::v1::calendar_service_server::CalendarServiceServer;
use eiso_proto::eiso::procedures::v1::dossier_service_server::DossierServiceServer;
use eiso_proto::eiso::procedures::v1::procedure_service_server::ProcedureServiceServer;
use eiso_proto::eiso::quality::v1::quality_service_server::QualityServiceServer;
use eiso_proto::eiso::search::v1::search_service_server::SearchServiceServer;
use eiso_proto::eiso::sync::v1::sync_service_server::SyncServiceServer;
use eiso_quality::{Quality, QualityApi};
use eiso_remote::{RemoteDirectory, RemoteVerifier, Routes, Upstream};
pub use eiso_search::extract::Extractor;
use eiso_search::{Search, SearchApi};
pub use search_replica::SearchReplica;
use tokio::net::TcpListener;

/// A gRPC service's server with this process's limit on message sizes, both
/// ways (`max_message_bytes`).
macro_rules! sized {
    ($server:expr, $max:expr) => {
        $server.max_decoding_message_size($max).max_encoding_message_size($max)
    };
}

/// The fully-qualified names of the services a process hosting every one
/// serves, as the health service and reflection list them.
pub const SERVICE_NAMES: [&str; 12] = [
    "eiso.identity.v1.IdentityService",
    "eiso.documents.v1.DocumentService",
    "eiso.procedures.v1.CalendarService",
    "eiso.procedures.v1.ProcedureService",
    "eiso.procedures.v1.DossierService",
    "eiso.audit.v1.AuditService",
    "eiso.event.v1.EventService",
    "eiso.plans.v1.PlanService",
    "eiso.search.v1.SearchService",
    "eiso.quality.v1.QualityService",
    "eiso.sync.v1.SyncService",
    "eiso.notify.v1.NotificationService",
];

/// The fully-qualified names of the services a process of this shape serves
/// (a search replica's: [`search_replica::SERVICE_NAME`]).
pub fn service_names(hosting: Hosting) -> Vec<&'static str> {
    SERVICE_NAMES
        .into_iter()
        .filter(|grpc| eiso_platform::config::service_of(grpc).is_none_or(|service| hosting.hosts(service)))
        .collect()
}

/// Fault injection, for tests of the search indexer's quarantine only: the
/// process dies (as on an allocation failure) whenever the indexer reads a
/// file named `file_name`. `eiso-server` sets it from
/// `EISO_TEST_FAULT_ABORT_ON_FILE`; nothing else should.
pub fn inject_fault_abort_on_file(file_name: String) {
    search_sources::inject_fault_abort_on_file(file_name);
}

/// Where identity is for this process.
enum IdentityAt {
    /// Hosted here, on its own storage.
    Here {
        identity: Identity,
        verifier: Arc<IdentityVerifier>,
    },
    /// In the process at `[upstream]`: tokens are checked there (`WhoAmI`)
    /// and the unit tree and users are read from there.
    Upstream(Arc<Upstream>),
}

impl IdentityAt {
    /// Opens identity's storage and creates the first administrator, or
    /// prepares the calls to the process that hosts it.
    async fn prepare(
        config: &Config,
        clock: &Clock,
        routes: Option<&Routes>,
    ) -> anyhow::Result<(Self, Option<AdminSetup>)> {
        if config.hosting().identity_upstream() {
            let upstream = routes
                .ok_or_else(|| anyhow::anyhow!("a process without identity needs [upstream]"))?
                .to("identity");
            tracing::info!(upstream = %upstream.url(), "identity is upstream");
            return Ok((Self::Upstream(upstream), None));
        }
        let db = open::<eiso_migrations::identity::Migrator>(config, eiso_identity::SERVICE_NAME).await?;
        let signer = eiso_identity::load_signer(&db).await?;
        let verifier = Arc::new(IdentityVerifier::new(signer, db.clone()));
        let ttl = chrono::Duration::seconds(config.token_ttl_seconds as i64);
        let identity = Identity::new(Journal::new(db), verifier.clone(), ttl).with_clock(clock.clone());
        let admin_setup = eiso_identity::ensure_bootstrap(&identity, config.admin_password.as_deref()).await?;
        Ok((Self::Here { identity, verifier }, Some(admin_setup)))
    }

    fn directory(&self) -> Arc<dyn Directory> {
        match self {
            Self::Here { identity, .. } => Arc::new(directory::IdentityDirectory(identity.clone())),
            Self::Upstream(upstream) => Arc::new(RemoteDirectory::new(upstream.clone())),
        }
    }

    fn verifier(&self) -> Arc<dyn TokenVerifier> {
        match self {
            Self::Here { verifier, .. } => verifier.clone(),
            Self::Upstream(upstream) => Arc::new(RemoteVerifier::new(upstream.clone())),
        }
    }

    fn identity(&self) -> Option<&Identity> {
        match self {
            Self::Here { identity, .. } => Some(identity),
            Self::Upstream(_) => None,
        }
    }

    fn upstream(&self) -> Option<&Arc<Upstream>> {
        match self {
            Self::Here { .. } => None,
            Self::Upstream(upstream) => Some(upstream),
        }
    }
}

/// The documents group: controlled documents and records, on their
/// storage (migrated) and file store, with identity's lookups from
/// `directory`.
async fn open_documents(config: &Config, directory: Arc<dyn Directory>) -> anyhow::Result<Documents> {
    let documents_db = open::<eiso_migrations::documents::Migrator>(config, eiso_documents::SERVICE_NAME).await?;
    let blobs = files::open(config).await?;
    // Uploads cut off by a crash leave staging files nobody can see.
    match blobs.sweep_staging(std::time::Duration::from_secs(24 * 3600)).await {
        Ok(0) => {}
        Ok(swept) => tracing::info!(swept, "removed abandoned uploads"),
        Err(error) => tracing::warn!(%error, "cannot sweep abandoned uploads"),
    }
    let limits = eiso_documents::Limits {
        max_file_bytes: config.max_file_bytes,
        ..Default::default()
    };
    let documents = Documents::new(Journal::new(documents_db), blobs, directory, limits);
    // Content no live file refers to (a crash between storing and recording
    // a file, or destroyed with its record): at start, then daily while
    // serving. Safe beside uploads on any replica sharing the store.
    files::sweep_unreferenced(&documents).await;
    Ok(documents)
}

/// The procedures group: the catalogue, the calendar and the dossiers, and
/// the dossiers' outward deliveries (the portal sync, the notifications),
/// which follow the dossiers' event stream in process.
struct Dossiers {
    procedures: Procedures,
    /// The dossiers' sync with the national portal, when one is configured.
    portal_sync: Option<eiso_sync::delivery::Delivery>,
    /// The applicants' notifications, when a channel is configured.
    notifier: Option<eiso_notify::Notifier>,
    /// The sync's API (answering that nothing is synchronised without a portal).
    sync: eiso_sync::service::Sync,
    /// The notifications' API (answering that nothing is sent without a channel).
    notifications: eiso_notify::service::Notifications,
}

impl Dossiers {
    /// Opens the group's storage (migrating it), with identity's lookups
    /// from `directory`.
    async fn prepare(config: &Config, clock: &Clock, directory: Arc<dyn Directory>) -> anyhow::Result<Self> {
        let procedures_db =
            open::<eiso_migrations::procedures::Migrator>(config, eiso_procedures::SERVICE_NAME).await?;
        // The statistics' counts, on the first start after they were introduced.
        let counted = eiso_procedures::counts::ensure_built(&procedures_db)
            .await
            .map_err(|e| anyhow::anyhow!("cannot count the dossiers for the statistics: {e}"))?;
        if counted > 0 {
            tracing::info!(dossiers = counted, "counted the dossiers for the statistics");
        }
        let procedures = Procedures::new(Journal::new(procedures_db), directory.clone())
            .with_clock(clock.clone())
            .with_public_url(config.public_base_url());
        // An office's own forms, if it has put any in data_dir/templates.
        let template_dir = config.data_dir.join("templates");
        let procedures = if template_dir.is_dir() {
            let templates = eiso_procedures::forms::Templates::with_overrides(&template_dir)
                .map_err(|e| anyhow::anyhow!("cannot load the form templates in {}: {e}", template_dir.display()))?;
            tracing::info!(dir = %template_dir.display(), "using the office's form templates");
            procedures.with_templates(templates)
        } else {
            procedures
        };

        // What the outward deliveries read of a dossier besides its events.
        let dossier_facts = dossier_facts::DossierFacts {
            procedures: procedures.clone(),
            directory: directory.clone(),
        };
        // The applicants' notifications, when the configuration names a channel.
        let notifier = match &config.notifications {
            None => None,
            Some(settings) => {
                let db = open::<eiso_migrations::notify::Migrator>(config, notifications::SERVICE_NAME).await?;
                Some(notifications::notifier(settings, config, db, dossier_facts.clone())?)
            }
        };
        // The national portal's sync, when the configuration names a portal.
        let portal_sync = match &config.portal {
            None => None,
            Some(settings) => {
                let db = open::<eiso_migrations::sync::Migrator>(config, portal_sync::SERVICE_NAME).await?;
                let portal = Arc::new(portal_sync::portal(settings)?);
                let lookups = Arc::new(portal_sync::ServiceLookups {
                    facts: dossier_facts.clone(),
                    portal: portal.clone(),
                });
                tracing::info!(url = %settings.url, agency = %settings.agency_code, "dossiers are synchronised to the national portal");
                Some(eiso_sync::delivery::Delivery::new(
                    db,
                    portal,
                    lookups,
                    eiso_sync::delivery::Retry::default(),
                ))
            }
        };
        let sync = eiso_sync::service::Sync::new(
            portal_sync.clone(),
            directory.clone(),
            config.portal.as_ref().map_or("", |portal| portal.url.as_str()),
        );
        let notifications = eiso_notify::service::Notifications::new(notifier.clone(), directory);
        Ok(Self {
            procedures,
            portal_sync,
            notifier,
            sync,
            notifications,
        })
    }
}

/// The management group: reform plans and the quality system.
struct Management {
    plans: Plans,
    quality: Quality,
}

impl Management {
    /// Opens the group's storage (migrating it). What it takes of the
    /// documents and procedures groups (evidence links, record filing, the
    /// register of issued documents, dossier figures) comes from them in
    /// process where this process hosts them, or over gRPC from where
    /// `routes` say they are.
    async fn prepare(
        config: &Config,
        clock: &Clock,
        directory: Arc<dyn Directory>,
        documents: Option<&Documents>,
        dossiers: Option<&Dossiers>,
        routes: Option<&Routes>,
    ) -> anyhow::Result<Self> {
        let remote = |service: &str| {
            routes
                .map(|routes| routes.to(service))
                .ok_or_else(|| anyhow::anyhow!("plans and quality without documents or procedures need [upstream]"))
        };
        // Evidence links and record filing through the documents and
        // procedures services (one `ResourceLinks` for plans and quality):
        // in process where both are here, else over gRPC (to where each is).
        let resource_links: Arc<dyn eiso_platform::links::ResourceLinks> = match (documents, dossiers) {
            (Some(documents), Some(dossiers)) => Arc::new(links::ServiceLinks::in_process(
                documents.clone(),
                dossiers.procedures.clone(),
            )),
            _ => Arc::new(links::ServiceLinks::remote(remote("documents")?, remote("procedures")?)),
        };
        // Quality: inspections, internal audits, corrective actions,
        // management reviews and the ISO 18091 diagnostic. Built before plans
        // (whose targets may read its inspection coverage); its review sources
        // (statistics from procedures, targets from plans) are added after.
        let quality_db = open::<eiso_migrations::quality::Migrator>(config, eiso_quality::SERVICE_NAME).await?;
        let quality =
            Quality::new(Journal::new(quality_db), directory.clone(), resource_links.clone()).with_clock(clock.clone());
        quality.ensure_indicator_set().await?;

        // Plans: targets measured from the live data of procedures, quality
        // and the portal sync; periodic reports.
        let measures: Arc<dyn eiso_plans::measures::Measures> = match dossiers {
            Some(dossiers) => Arc::new(measures::ServiceMeasures::in_process(
                dossiers.procedures.clone(),
                quality.clone(),
                dossiers.portal_sync.clone(),
            )),
            None => Arc::new(measures::ServiceMeasures::remote(
                quality.clone(),
                remote("procedures")?,
                remote("sync")?,
            )),
        };
        let plans_db = open::<eiso_migrations::plans::Migrator>(config, eiso_plans::SERVICE_NAME).await?;
        let plans = Plans::new(Journal::new(plans_db), directory, resource_links, measures).with_clock(clock.clone());
        let review_sources: Arc<dyn eiso_quality::review::ReviewSources> = match dossiers {
            Some(dossiers) => Arc::new(review_sources::ServerReviewSources::in_process(
                dossiers.procedures.clone(),
                plans.clone(),
            )),
            None => Arc::new(review_sources::ServerReviewSources::remote(
                remote("procedures")?,
                plans.clone(),
            )),
        };
        let quality = quality.with_review_sources(review_sources);
        Ok(Self { plans, quality })
    }
}

/// Every service but identity that a process hosts, on their own storage.
struct Services {
    documents: Option<Documents>,
    dossiers: Option<Dossiers>,
    management: Option<Management>,
    /// The search index, where every service it indexes is hosted (a
    /// search replica is [`SearchReplica`]).
    search: Option<Search>,
}

impl Services {
    /// Opens the storage of the groups `config` names (migrating it), with
    /// identity's lookups from `directory` and the other groups at `routes`.
    async fn prepare(
        config: &Config,
        clock: &Clock,
        extractor: Extractor,
        directory: Arc<dyn Directory>,
        routes: Option<&Routes>,
    ) -> anyhow::Result<Self> {
        let hosting = config.hosting();
        let documents = match hosting.hosts("documents") {
            true => Some(open_documents(config, directory.clone()).await?),
            false => None,
        };
        let dossiers = match hosting.hosts("procedures") {
            true => Some(Dossiers::prepare(config, clock, directory.clone()).await?),
            false => None,
        };
        let management = match hosting.hosts("plans") {
            true => Some(
                Management::prepare(
                    config,
                    clock,
                    directory.clone(),
                    documents.as_ref(),
                    dossiers.as_ref(),
                    routes,
                )
                .await?,
            ),
            false => None,
        };
        // The search index: a read model of the services' event streams,
        // built (or rebuilt after a schema change) by itself.
        let search = match (&documents, &dossiers, &management) {
            (Some(documents), Some(dossiers), Some(management)) if hosting.hosts("search") => Some(
                Search::open(
                    &config.search_dir(),
                    search_sources::sources(
                        Arc::new(search_reads::LocalReads {
                            documents: documents.clone(),
                            procedures: dossiers.procedures.clone(),
                            plans: management.plans.clone(),
                            quality: management.quality.clone(),
                        }),
                        extractor,
                        directory.clone(),
                    ),
                    directory,
                    eiso_procedures::PERSONAL_DATA_ROLES.to_vec(),
                )
                .await
                .map_err(|e| anyhow::anyhow!("cannot open the search index: {e}"))?,
            ),
            _ => None,
        };
        Ok(Self {
            documents,
            dossiers,
            management,
            search,
        })
    }

    /// The services' journals whose event streams the event service serves,
    /// by service name.
    fn journals(&self) -> Vec<(&'static str, Journal)> {
        let mut journals = Vec::new();
        if let Some(documents) = &self.documents {
            journals.push((eiso_documents::SERVICE_NAME, documents.journal().clone()));
        }
        if let Some(dossiers) = &self.dossiers {
            journals.push((eiso_procedures::SERVICE_NAME, dossiers.procedures.journal().clone()));
        }
        if let Some(management) = &self.management {
            journals.push((eiso_plans::SERVICE_NAME, management.plans.journal().clone()));
            journals.push((eiso_quality::SERVICE_NAME, management.quality.journal().clone()));
        }
        journals
    }

    /// Their databases (the audit trails, and what readiness checks), by
    /// service name.
    fn databases(&self) -> impl Iterator<Item = (String, Db)> + '_ {
        let journals = self
            .journals()
            .into_iter()
            .map(|(name, journal)| (name.to_string(), journal.db().clone()));
        let sync = self
            .dossiers
            .iter()
            .filter_map(|dossiers| dossiers.portal_sync.as_ref())
            .map(|delivery| (portal_sync::SERVICE_NAME.to_string(), delivery.db().clone()));
        let notify = self
            .dossiers
            .iter()
            .filter_map(|dossiers| dossiers.notifier.as_ref())
            .map(|notifier| (notifications::SERVICE_NAME.to_string(), notifier.db().clone()));
        journals.chain(sync).chain(notify)
    }
}

/// Everything the server holds once storage is open: every service, or
/// some of them (`services`, [`Hosting`]).
pub struct App {
    config: Config,
    identity: IdentityAt,
    /// Where the services this process does not host answer, when it
    /// hosts only some.
    routes: Option<Routes>,
    /// Every service but identity, when this process hosts them.
    services: Option<Services>,
    /// The audit trails of the services hosted here, by service name.
    trails: HashMap<String, Db>,
    verifier: Arc<dyn TokenVerifier>,
    directory: Arc<dyn Directory>,
    /// The office's web app, where every service is hosted.
    web: Option<eiso_web::Web>,
    /// TLS on the listener, when configured.
    tls: Option<tonic::transport::ServerTlsConfig>,
    /// What the first start did about the `admin` user (`None`: identity
    /// is hosted elsewhere).
    pub admin_setup: Option<AdminSetup>,
}

impl App {
    /// The documents service, when this process hosts it (tests drive its
    /// sweep).
    pub fn documents(&self) -> Option<&Documents> {
        self.services.as_ref().and_then(|services| services.documents.as_ref())
    }

    fn dossiers(&self) -> Option<&Dossiers> {
        self.services.as_ref().and_then(|services| services.dossiers.as_ref())
    }

    /// Opens every hosted service's storage (migrating it), loads the token
    /// key and creates the first administrator if there is none.
    pub async fn prepare(config: Config) -> anyhow::Result<Self> {
        Self::prepare_with_clock(config, Clock::system()).await
    }

    /// [`App::prepare`] on another clock (tests move time instead of sleeping).
    /// Text of files is extracted in this process (checked first, but with no
    /// memory limit): the binary uses [`App::prepare_with`] and a child process.
    pub async fn prepare_with_clock(config: Config, clock: Clock) -> anyhow::Result<Self> {
        Self::prepare_with(config, clock, Extractor::InProcess).await
    }

    /// [`App::prepare`] with the clock and where the search indexer extracts
    /// the text of files (`Extractor::Child` runs a binary in extraction mode).
    pub async fn prepare_with(config: Config, clock: Clock, extractor: Extractor) -> anyhow::Result<Self> {
        let hosting = config.hosting();
        if hosting.is_search_replica() {
            anyhow::bail!("a search replica (services = [\"search\"]) is started as SearchReplica, not App");
        }
        // Read first: a wrong path stops the start before anything is opened.
        let tls = config.tls.as_ref().map(tls::server_config).transpose()?;
        let routes = match (&config.upstream, hosting.needs_upstream()) {
            (Some(settings), true) => {
                Some(Routes::new(settings).map_err(|e| anyhow::anyhow!("cannot set up the upstream: {e}"))?)
            }
            _ => None,
        };
        let (identity, admin_setup) = IdentityAt::prepare(&config, &clock, routes.as_ref()).await?;
        let directory = identity.directory();
        let services = match hosting.names().any(|service| service != "identity") {
            true => Some(Services::prepare(&config, &clock, extractor, directory.clone(), routes.as_ref()).await?),
            false => None,
        };
        let mut trails: HashMap<String, Db> = services.iter().flat_map(Services::databases).collect();
        if let Some(here) = identity.identity() {
            trails.insert(eiso_identity::SERVICE_NAME.to_string(), here.journal().db().clone());
        }

        // The office's web app, where every service is (its pages call them
        // all in process), its templates overridable like the forms'.
        let every = services.as_ref().and_then(|services| {
            Some((
                services.documents.as_ref()?,
                services.dossiers.as_ref()?,
                services.management.as_ref()?,
                services.search.as_ref()?,
            ))
        });
        let web = match (&identity, every) {
            (IdentityAt::Here { identity, verifier }, Some((documents, dossiers, management, search))) => {
                let web_templates = config.data_dir.join("templates").join("web");
                let pages = if web_templates.is_dir() {
                    let pages = eiso_web::Pages::with_overrides(&web_templates)
                        .map_err(|e| anyhow::anyhow!("cannot load the web templates: {e}"))?;
                    tracing::info!(dir = %web_templates.display(), "using the office's web templates");
                    pages
                } else {
                    eiso_web::Pages::builtin()
                };
                Some(eiso_web::Web::new(eiso_web::Parts {
                    identity: identity.clone(),
                    verifier: verifier.clone(),
                    procedures: dossiers.procedures.clone(),
                    documents: documents.clone(),
                    quality: management.quality.clone(),
                    search: search.clone(),
                    plans: management.plans.clone(),
                    directory: directory.clone(),
                    pages,
                    clock,
                    audit: AuditApi::new(trails.clone(), directory.clone()),
                    trails: trails.clone(),
                    sync: dossiers.portal_sync.is_some().then(|| dossiers.sync.clone()),
                    notifications: dossiers.notifier.is_some().then(|| dossiers.notifications.clone()),
                }))
            }
            _ => None,
        };

        Ok(Self {
            verifier: identity.verifier(),
            config,
            identity,
            routes,
            services,
            trails,
            directory,
            web,
            tls,
            admin_setup,
        })
    }

    /// Serves until `shutdown` completes, then lets calls in flight finish and
    /// closes storage.
    pub async fn serve(self, listener: TcpListener, shutdown: impl Future<Output = ()> + Send) -> anyhow::Result<()> {
        let max = self.config.max_message_bytes;
        let hosted = service_names(self.config.hosting());
        let (health, health_service) = tonic_health::server::health_reporter();
        let readiness = readiness::Readiness::serving(health, &hosted).await;
        // Reflection lists exactly what this process serves.
        let (reflection, reflection_alpha) = reflection::services(&hosted)?;

        // What this process does not host answers UNIMPLEMENTED.
        let services = self.services.as_ref();
        let dossiers = self.dossiers();
        let management = services.and_then(|s| s.management.as_ref());
        let identity = self
            .identity
            .identity()
            .map(|identity| sized!(IdentityServiceServer::new(IdentityApi::new(identity.clone())), max));
        let documents = self
            .documents()
            .map(|d| sized!(DocumentServiceServer::new(DocumentApi::new(d.clone())), max));
        let calendars =
            dossiers.map(|r| sized!(CalendarServiceServer::new(CalendarApi::new(r.procedures.clone())), max));
        let catalogue = dossiers.map(|r| {
            sized!(
                ProcedureServiceServer::new(ProcedureApi::new(r.procedures.clone())),
                max
            )
        });
        let dossier_service =
            dossiers.map(|r| sized!(DossierServiceServer::new(DossierApi::new(r.procedures.clone())), max));
        let search = services
            .and_then(|s| s.search.as_ref())
            .map(|search| sized!(SearchServiceServer::new(SearchApi::new(search.clone())), max));
        let plans = management.map(|m| sized!(PlanServiceServer::new(PlanApi::new(m.plans.clone())), max));
        let quality = management.map(|m| sized!(QualityServiceServer::new(QualityApi::new(m.quality.clone())), max));
        let sync = dossiers.map(|r| {
            sized!(
                SyncServiceServer::new(eiso_sync::grpc::SyncApi::new(r.sync.clone())),
                max
            )
        });
        let notifications = dossiers.map(|r| {
            sized!(
                NotificationServiceServer::new(eiso_notify::grpc::NotificationApi::new(r.notifications.clone())),
                max
            )
        });
        let (stop_background, background_stopped) = tokio::sync::watch::channel(false);
        let background = match services {
            Some(services) => self.spawn_background(services, &background_stopped),
            None => Vec::new(),
        };
        // Readiness follows the databases (and identity's process, when it is
        // elsewhere): NOT_SERVING while one does not answer.
        let checks = readiness.clone().spawn_checks(
            readiness::dependencies(
                &self.trails,
                self.identity.upstream().map(|upstream| upstream.channel()),
            ),
            std::time::Duration::from_millis(self.config.health.check_interval_ms),
            std::time::Duration::from_millis(self.config.health.check_timeout_ms),
            background_stopped,
        );
        // The trails and streams of the services hosted elsewhere, from
        // where they are.
        let elsewhere = relay::Elsewhere::new(self.config.hosting(), self.routes.as_ref());
        let audit = sized!(
            AuditServiceServer::new(relay::AuditRelay {
                local: AuditApi::new(self.trails.clone(), self.directory.clone()),
                elsewhere: elsewhere.clone(),
            }),
            max
        );
        let mut journals: Vec<(&str, Journal)> = services.map(Services::journals).into_iter().flatten().collect();
        if let Some(identity) = self.identity.identity() {
            journals.insert(0, (eiso_identity::SERVICE_NAME, identity.journal().clone()));
        }
        let events = EventServiceServer::new(relay::EventRelay {
            local: EventApi::new(
                journals
                    .iter()
                    .map(|(name, journal)| (name.to_string(), journal.clone()))
                    .collect(),
                self.directory.clone(),
            ),
            elsewhere,
        });
        let gateway = GatewayLayer::new(self.verifier.clone(), self.trails.clone());

        tracing::info!(address = %listener.local_addr()?, hosting = ?self.config.hosting(), "eiso-server serving");
        // Small responses must not wait for the peer's delayed ACK (Nagle):
        // without TCP_NODELAY a 50-unit list page took 44 ms instead of 0.3 ms.
        let incoming = tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true));
        // Outermost first: Connect (buf curl's default) and gRPC-Web are
        // translated to gRPC before telemetry and the gateway see the call.
        let telemetry = eiso_telemetry::GrpcTelemetryLayer::new()
            .known_methods(|method| eiso_platform::policy::rule(method).is_some());
        let mut server = tonic::transport::Server::builder();
        if let Some(tls) = self.tls.clone() {
            server = server
                .tls_config(tls)
                .map_err(|e| anyhow::anyhow!("cannot set up TLS on the listener: {e}"))?;
        }
        let web = match &self.web {
            Some(web) => web.clone().layer(),
            None => eiso_web::WebLayer::absent(),
        };
        server
            .accept_http1(true)
            // Browsers' pages never reach the gRPC stack (nor its gateway).
            .layer(web)
            // Calls the translators refuse themselves are counted too.
            .layer(telemetry.refused_outside())
            .layer(eiso_connect::ConnectLayer::with_max_message_bytes(max))
            .layer(tonic_web::GrpcWebLayer::new())
            .layer(telemetry)
            .layer(gateway)
            .add_service(health_service)
            .add_service(reflection)
            .add_service(reflection_alpha)
            .add_optional_service(identity)
            .add_optional_service(documents)
            .add_optional_service(calendars)
            .add_optional_service(catalogue)
            .add_optional_service(dossier_service)
            .add_service(audit)
            .add_service(events)
            .add_optional_service(plans)
            .add_optional_service(search)
            .add_optional_service(quality)
            .add_optional_service(sync)
            .add_optional_service(notifications)
            .serve_with_incoming_shutdown(incoming, async move {
                shutdown.await;
                // While calls in flight drain, a health check (a load
                // balancer's probe) answers NOT_SERVING for every service
                // and for the server as a whole, so no new work is sent here.
                readiness.drain().await;
                // Event streams never end by themselves: end them so the
                // server can drain the calls in flight.
                for (_, journal) in &journals {
                    journal.close_watchers();
                }
                stop_background.send_replace(true);
            })
            .await?;
        for task in background {
            let _ = task.await;
        }
        let _ = checks.await;

        if let Some(search) = self.services.as_ref().and_then(|services| services.search.as_ref()) {
            // Commits what the indexer has taken in, so a restart resumes there.
            search.close().await;
        }
        for (_, db) in self.trails {
            db.close().await;
        }
        tracing::info!("eiso-server stopped");
        Ok(())
    }

    /// The background work of the services besides identity: periodic
    /// reports, the portal sync and the notifications (each one replica at a
    /// time, under a lease in its own service's database), the file sweeps
    /// and the gauges; all stop when `stopped` turns true.
    fn spawn_background(
        &self,
        services: &Services,
        stopped: &tokio::sync::watch::Receiver<bool>,
    ) -> Vec<tokio::task::JoinHandle<()>> {
        // This process is a new holder each start.
        let holder = format!("{}-{}", self.config.listen_addr, uuid::Uuid::new_v4().simple());
        let lease =
            |db: &Db, name: &str, ttl: std::time::Duration| Lease::new(db.clone(), name, holder.clone()).with_ttl(ttl);
        let mut tasks = Vec::new();
        // Periodic plan reports, generated when due (idempotent per plan and
        // period besides, so a lease handed over mid-pass never files twice).
        if let Some(management) = &services.management {
            let report_interval = std::time::Duration::from_secs(60);
            tasks.push(eiso_plans::Scheduler::spawn(
                management.plans.clone(),
                report_interval,
                lease(
                    management.plans.journal().db(),
                    "plans.reports",
                    outbound::lease_ttl(report_interval),
                ),
                stopped.clone(),
            ));
        }
        if let Some(documents) = &services.documents {
            tasks.push(files::spawn_sweeps(documents.clone(), stopped.clone()));
        }
        let Some(dossiers) = &services.dossiers else {
            return tasks;
        };
        if let Some(delivery) = dossiers.portal_sync.clone() {
            let interval =
                std::time::Duration::from_secs(self.config.portal.as_ref().map_or(5, |portal| portal.interval_seconds));
            let lease = lease(delivery.db(), "sync.delivery", outbound::lease_ttl(interval));
            tasks.push(portal_sync::spawn(
                delivery,
                dossiers.procedures.journal().clone(),
                interval,
                lease,
                stopped.clone(),
            ));
        }
        if let Some(notifier) = dossiers.notifier.clone() {
            let interval = self
                .config
                .notifications
                .as_ref()
                .map_or(5, |notifications| notifications.interval_seconds);
            let interval = std::time::Duration::from_secs(interval);
            let lease = lease(notifier.db(), "notify.delivery", outbound::lease_ttl(interval));
            tasks.push(notifications::spawn(
                notifier,
                dossiers.procedures.journal().clone(),
                interval,
                lease,
                stopped.clone(),
            ));
        }
        tasks.push(gauges::spawn(dossiers.procedures.clone(), stopped.clone()));
        tasks
    }
}

/// Opens (and migrates) the storage of `service`.
async fn open<M: sea_orm_migration::MigratorTrait>(config: &Config, service: &str) -> anyhow::Result<Db> {
    let target = StorageTarget::for_service(config, service);
    Db::open::<M>(&target, config)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the {service} database ({}): {e}", describe(&target)))
}

/// Where a service's data is, in words (its URL's password masked).
pub(crate) fn describe(target: &StorageTarget) -> String {
    match target {
        StorageTarget::Sqlite { path } => format!("SQLite {}", path.display()),
        StorageTarget::Postgres { url, schema } => {
            format!("PostgreSQL {} schema {schema}", eiso_platform::config::redact_url(url))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eiso_platform::config::service_of;

    #[test]
    fn each_shape_serves_what_it_hosts_and_the_audit_and_event_services() {
        let shapes = [
            Hosting::ALL,
            Hosting::of(["identity"]),
            Hosting::of(["documents", "procedures", "sync", "notify"]),
            Hosting::of(["plans", "quality"]),
            Hosting::of([
                "documents",
                "procedures",
                "plans",
                "quality",
                "search",
                "sync",
                "notify",
            ]),
        ];
        for hosting in shapes {
            let names = service_names(hosting);
            assert!(names.contains(&"eiso.audit.v1.AuditService"), "{hosting:?}");
            assert!(names.contains(&"eiso.event.v1.EventService"), "{hosting:?}");
            for service in eiso_platform::config::SERVICES {
                let served = SERVICE_NAMES
                    .iter()
                    .filter(|grpc| service_of(grpc) == Some(service))
                    .all(|grpc| names.contains(grpc));
                assert_eq!(served, hosting.hosts(service), "{hosting:?} {service}");
            }
        }
        assert_eq!(service_names(Hosting::ALL), SERVICE_NAMES);
        assert_eq!(service_names(Hosting::of(["plans", "quality"])).len(), 4);
        // Every gRPC service belongs to a service of `services`, but audit and events.
        for grpc in SERVICE_NAMES {
            assert_eq!(
                service_of(grpc).is_none(),
                ["eiso.audit.v1.AuditService", "eiso.event.v1.EventService"].contains(&grpc),
                "{grpc}"
            );
        }
        let mut unique = SERVICE_NAMES.to_vec();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), SERVICE_NAMES.len());
    }
}
