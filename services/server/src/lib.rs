//! `eiso-server`: every eiso service in one process on one port, with gRPC,
//! gRPC-Web, the standard health service, server reflection and the office's
//! web app (`eiso-web`) for browsers.
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
mod measures;
mod notifications;
mod outbound;
mod portal_sync;
mod readiness;
pub mod reflection;
mod remote_reads;
mod review_sources;
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
use eiso_platform::db::{Db, StorageTarget};
use eiso_platform::event_service::EventApi;
use eiso_platform::gateway::GatewayLayer;
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
pub use eiso_search::extract::Extractor;
use eiso_search::{Search, SearchApi};
pub use search_replica::SearchReplica;
use tokio::net::TcpListener;

/// The fully-qualified names of the services this process hosts, as the
/// health service and reflection list them.
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

/// Fault injection, for tests of the search indexer's quarantine only: the
/// process dies (as on an allocation failure) whenever the indexer reads a
/// file named `file_name`. `eiso-server` sets it from
/// `EISO_TEST_FAULT_ABORT_ON_FILE`; nothing else should.
pub fn inject_fault_abort_on_file(file_name: String) {
    search_sources::inject_fault_abort_on_file(file_name);
}

/// Everything the server holds once storage is open.
pub struct App {
    config: Config,
    identity: Identity,
    documents: Documents,
    procedures: Procedures,
    plans: Plans,
    quality: Quality,
    search: Search,
    trails: HashMap<String, Db>,
    verifier: Arc<IdentityVerifier>,
    web: eiso_web::Web,
    /// The dossiers' sync with the national portal, when one is configured.
    portal_sync: Option<eiso_sync::delivery::Delivery>,
    /// The applicants' notifications, when a channel is configured.
    notifier: Option<eiso_notify::Notifier>,
    /// The sync's API (answering that nothing is synchronised without a portal).
    sync: eiso_sync::service::Sync,
    /// The notifications' API (answering that nothing is sent without a channel).
    notifications: eiso_notify::service::Notifications,
    /// TLS on the listener, when configured.
    tls: Option<tonic::transport::ServerTlsConfig>,
    /// What the first start did about the `admin` user.
    pub admin_setup: AdminSetup,
}

impl App {
    /// The documents service this process hosts (tests drive its sweep).
    pub fn documents(&self) -> &Documents {
        &self.documents
    }

    /// Opens every service's storage (migrating it), loads the token key and
    /// creates the first administrator if there is none.
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
        // Read first: a wrong path stops the start before anything is opened.
        let tls = config.tls.as_ref().map(tls::server_config).transpose()?;
        let identity_db = open::<eiso_migrations::identity::Migrator>(&config, eiso_identity::SERVICE_NAME).await?;
        let signer = eiso_identity::load_signer(&identity_db).await?;
        let verifier = Arc::new(IdentityVerifier::new(signer, identity_db.clone()));
        let ttl = chrono::Duration::seconds(config.token_ttl_seconds as i64);
        let identity =
            Identity::new(Journal::new(identity_db.clone()), verifier.clone(), ttl).with_clock(clock.clone());
        let admin_setup = eiso_identity::ensure_bootstrap(&identity, config.admin_password.as_deref()).await?;

        let documents_db = open::<eiso_migrations::documents::Migrator>(&config, eiso_documents::SERVICE_NAME).await?;
        let blobs = files::open(&config).await?;
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
        let documents = Documents::new(
            Journal::new(documents_db.clone()),
            blobs,
            Arc::new(directory::IdentityDirectory(identity.clone())),
            limits,
        );
        // Content no live file refers to (a crash between storing and recording
        // a file, or destroyed with its record): at start, then daily while
        // serving. Safe beside uploads on any replica sharing the store.
        files::sweep_unreferenced(&documents).await;

        let procedures_db =
            open::<eiso_migrations::procedures::Migrator>(&config, eiso_procedures::SERVICE_NAME).await?;
        // The statistics' counts, on the first start after they were introduced.
        let counted = eiso_procedures::counts::ensure_built(&procedures_db)
            .await
            .map_err(|e| anyhow::anyhow!("cannot count the dossiers for the statistics: {e}"))?;
        if counted > 0 {
            tracing::info!(dossiers = counted, "counted the dossiers for the statistics");
        }
        let procedures = Procedures::new(
            Journal::new(procedures_db.clone()),
            Arc::new(directory::IdentityDirectory(identity.clone())),
        )
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

        // Plans: evidence links and record filing through the documents and
        // procedures services (this one `ResourceLinks` is for quality too),
        // targets measured from their live data, periodic reports.
        let resource_links: Arc<dyn eiso_platform::links::ResourceLinks> = Arc::new(links::ServiceLinks {
            documents: documents.clone(),
            procedures: procedures.clone(),
        });
        // Quality: inspections, internal audits, corrective actions,
        // management reviews and the ISO 18091 diagnostic. Built before plans
        // (whose targets may read its inspection coverage); its review sources
        // (statistics from procedures, targets from plans) are added after.
        let quality_db = open::<eiso_migrations::quality::Migrator>(&config, eiso_quality::SERVICE_NAME).await?;
        let quality = Quality::new(
            Journal::new(quality_db.clone()),
            Arc::new(directory::IdentityDirectory(identity.clone())),
            resource_links.clone(),
        )
        .with_clock(clock.clone());
        quality.ensure_indicator_set().await?;

        // What the outward deliveries read of a dossier besides its events.
        let dossier_facts = dossier_facts::DossierFacts {
            procedures: procedures.clone(),
            directory: Arc::new(directory::IdentityDirectory(identity.clone())),
        };
        // The applicants' notifications, when the configuration names a channel.
        let notifier = match &config.notifications {
            None => None,
            Some(settings) => {
                let db = open::<eiso_migrations::notify::Migrator>(&config, notifications::SERVICE_NAME).await?;
                Some(notifications::notifier(settings, &config, db, dossier_facts.clone())?)
            }
        };
        // The national portal's sync, when the configuration names a portal.
        let portal_sync = match &config.portal {
            None => None,
            Some(settings) => {
                let db = open::<eiso_migrations::sync::Migrator>(&config, portal_sync::SERVICE_NAME).await?;
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

        let plans_db = open::<eiso_migrations::plans::Migrator>(&config, eiso_plans::SERVICE_NAME).await?;
        let plans = Plans::new(
            Journal::new(plans_db.clone()),
            Arc::new(directory::IdentityDirectory(identity.clone())),
            resource_links.clone(),
            Arc::new(measures::ServiceMeasures {
                procedures: procedures.clone(),
                quality: quality.clone(),
                sync: portal_sync.clone(),
            }),
        )
        .with_clock(clock.clone());
        let quality = quality.with_review_sources(Arc::new(review_sources::ServerReviewSources {
            procedures: procedures.clone(),
            plans: plans.clone(),
        }));

        // The search index: a read model of the services' event streams,
        // built (or rebuilt after a schema change) by itself.
        let search = Search::open(
            &config.search_dir(),
            search_sources::sources(
                Arc::new(search_reads::LocalReads {
                    documents: documents.clone(),
                    procedures: procedures.clone(),
                    plans: plans.clone(),
                    quality: quality.clone(),
                }),
                extractor,
                Arc::new(directory::IdentityDirectory(identity.clone())),
            ),
            Arc::new(directory::IdentityDirectory(identity.clone())),
            eiso_procedures::PERSONAL_DATA_ROLES.to_vec(),
        )
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the search index: {e}"))?;

        // The office's web app, its templates overridable like the forms'.
        let web_templates = config.data_dir.join("templates").join("web");
        let pages = if web_templates.is_dir() {
            let pages = eiso_web::Pages::with_overrides(&web_templates)
                .map_err(|e| anyhow::anyhow!("cannot load the web templates: {e}"))?;
            tracing::info!(dir = %web_templates.display(), "using the office's web templates");
            pages
        } else {
            eiso_web::Pages::builtin()
        };
        let mut trails = HashMap::from([
            (eiso_identity::SERVICE_NAME.to_string(), identity_db),
            (eiso_documents::SERVICE_NAME.to_string(), documents_db),
            (eiso_procedures::SERVICE_NAME.to_string(), procedures_db),
            (eiso_plans::SERVICE_NAME.to_string(), plans_db),
            (eiso_quality::SERVICE_NAME.to_string(), quality_db),
        ]);
        if let Some(delivery) = &portal_sync {
            trails.insert(portal_sync::SERVICE_NAME.to_string(), delivery.db().clone());
        }
        if let Some(notifier) = &notifier {
            trails.insert(notifications::SERVICE_NAME.to_string(), notifier.db().clone());
        }
        let sync = eiso_sync::service::Sync::new(
            portal_sync.clone(),
            Arc::new(directory::IdentityDirectory(identity.clone())),
            config.portal.as_ref().map_or("", |portal| portal.url.as_str()),
        );
        let notifications = eiso_notify::service::Notifications::new(
            notifier.clone(),
            Arc::new(directory::IdentityDirectory(identity.clone())),
        );
        let web = eiso_web::Web::new(eiso_web::Parts {
            identity: identity.clone(),
            verifier: verifier.clone(),
            procedures: procedures.clone(),
            documents: documents.clone(),
            quality: quality.clone(),
            search: search.clone(),
            plans: plans.clone(),
            directory: Arc::new(directory::IdentityDirectory(identity.clone())),
            pages,
            clock,
            audit: AuditApi::new(trails.clone(), Arc::new(directory::IdentityDirectory(identity.clone()))),
            trails: trails.clone(),
            sync: portal_sync.is_some().then(|| sync.clone()),
            notifications: notifier.is_some().then(|| notifications.clone()),
        });

        Ok(Self {
            config,
            identity,
            documents,
            procedures,
            plans,
            quality,
            search,
            trails,
            verifier,
            web,
            sync,
            portal_sync,
            notifier,
            notifications,
            tls,
            admin_setup,
        })
    }

    /// Serves until `shutdown` completes, then lets calls in flight finish and
    /// closes storage.
    pub async fn serve(self, listener: TcpListener, shutdown: impl Future<Output = ()> + Send) -> anyhow::Result<()> {
        let max = self.config.max_message_bytes;
        let (health, health_service) = tonic_health::server::health_reporter();
        let readiness = readiness::Readiness::serving(health).await;
        // Reflection lists exactly what this process serves.
        let (reflection, reflection_alpha) = reflection::services(&SERVICE_NAMES)?;

        let identity = IdentityServiceServer::new(IdentityApi::new(self.identity.clone()))
            .max_decoding_message_size(max)
            .max_encoding_message_size(max);
        let documents = DocumentServiceServer::new(DocumentApi::new(self.documents.clone()))
            .max_decoding_message_size(max)
            .max_encoding_message_size(max);
        let calendars = CalendarServiceServer::new(CalendarApi::new(self.procedures.clone()))
            .max_decoding_message_size(max)
            .max_encoding_message_size(max);
        let catalogue = ProcedureServiceServer::new(ProcedureApi::new(self.procedures.clone()))
            .max_decoding_message_size(max)
            .max_encoding_message_size(max);
        let dossiers = DossierServiceServer::new(DossierApi::new(self.procedures.clone()))
            .max_decoding_message_size(max)
            .max_encoding_message_size(max);
        let search = SearchServiceServer::new(SearchApi::new(self.search.clone()))
            .max_decoding_message_size(max)
            .max_encoding_message_size(max);
        let plans = PlanServiceServer::new(PlanApi::new(self.plans.clone()))
            .max_decoding_message_size(max)
            .max_encoding_message_size(max);
        let quality = QualityServiceServer::new(QualityApi::new(self.quality.clone()))
            .max_decoding_message_size(max)
            .max_encoding_message_size(max);
        let sync = SyncServiceServer::new(eiso_sync::grpc::SyncApi::new(self.sync.clone()))
            .max_decoding_message_size(max)
            .max_encoding_message_size(max);
        let notifications =
            NotificationServiceServer::new(eiso_notify::grpc::NotificationApi::new(self.notifications.clone()))
                .max_decoding_message_size(max)
                .max_encoding_message_size(max);
        // Background work one replica at a time does, under a lease in
        // identity's database; this process is a new holder each start.
        let holder = format!("{}-{}", self.config.listen_addr, uuid::Uuid::new_v4().simple());
        let lease = |name: &str, ttl: std::time::Duration| {
            Lease::new(self.identity.journal().db().clone(), name, holder.clone()).with_ttl(ttl)
        };
        // Periodic plan reports, generated when due (idempotent per plan and
        // period besides, so a lease handed over mid-pass never files twice).
        let (stop_scheduler, scheduler_stopped) = tokio::sync::watch::channel(false);
        let report_interval = std::time::Duration::from_secs(60);
        let scheduler = eiso_plans::Scheduler::spawn(
            self.plans.clone(),
            report_interval,
            lease("plans.reports", outbound::lease_ttl(report_interval)),
            scheduler_stopped.clone(),
        );
        let syncing = self.portal_sync.clone().map(|delivery| {
            let interval =
                std::time::Duration::from_secs(self.config.portal.as_ref().map_or(5, |portal| portal.interval_seconds));
            portal_sync::spawn(
                delivery,
                self.procedures.journal().clone(),
                interval,
                lease("sync.delivery", outbound::lease_ttl(interval)),
                scheduler_stopped.clone(),
            )
        });
        let notifying = self.notifier.clone().map(|notifier| {
            let interval = self
                .config
                .notifications
                .as_ref()
                .map_or(5, |notifications| notifications.interval_seconds);
            let interval = std::time::Duration::from_secs(interval);
            notifications::spawn(
                notifier,
                self.procedures.journal().clone(),
                interval,
                lease("notify.delivery", outbound::lease_ttl(interval)),
                scheduler_stopped.clone(),
            )
        });
        let sweeps = files::spawn_sweeps(self.documents.clone(), scheduler_stopped.clone());
        let gauges = gauges::spawn(self.procedures.clone(), scheduler_stopped.clone());
        // Readiness follows the databases: NOT_SERVING while one does not answer.
        let checks = readiness.clone().spawn_checks(
            self.trails.clone(),
            std::time::Duration::from_millis(self.config.health.check_interval_ms),
            std::time::Duration::from_millis(self.config.health.check_timeout_ms),
            scheduler_stopped,
        );
        let audit = AuditServiceServer::new(AuditApi::new(
            self.trails.clone(),
            Arc::new(directory::IdentityDirectory(self.identity.clone())),
        ))
        .max_decoding_message_size(max)
        .max_encoding_message_size(max);
        let journals = [
            self.identity.journal().clone(),
            self.documents.journal().clone(),
            self.procedures.journal().clone(),
            self.plans.journal().clone(),
            self.quality.journal().clone(),
        ];
        let events = EventServiceServer::new(EventApi::new(
            [
                eiso_identity::SERVICE_NAME,
                eiso_documents::SERVICE_NAME,
                eiso_procedures::SERVICE_NAME,
                eiso_plans::SERVICE_NAME,
                eiso_quality::SERVICE_NAME,
            ]
            .into_iter()
            .map(String::from)
            .zip(journals.iter().cloned())
            .collect(),
            Arc::new(directory::IdentityDirectory(self.identity.clone())),
        ));
        let gateway = GatewayLayer::new(self.verifier.clone(), self.trails.clone());

        tracing::info!(address = %listener.local_addr()?, "eiso-server serving");
        // Small responses must not wait for the peer's delayed ACK (Nagle):
        // without TCP_NODELAY a 50-unit list page took 44 ms instead of 0.3 ms.
        let incoming = tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true));
        // Outermost first: Connect (buf curl's default) and gRPC-Web are
        // translated to gRPC before telemetry and the gateway see the call.
        let telemetry = eiso_telemetry::GrpcTelemetryLayer::new()
            .known_methods(|method| eiso_platform::policy::rule(method).is_some());
        let mut server = tonic::transport::Server::builder();
        if let Some(tls) = self.tls {
            server = server
                .tls_config(tls)
                .map_err(|e| anyhow::anyhow!("cannot set up TLS on the listener: {e}"))?;
        }
        server
            .accept_http1(true)
            // Browsers' pages never reach the gRPC stack (nor its gateway).
            .layer(self.web.clone().layer())
            // Calls the translators refuse themselves are counted too.
            .layer(telemetry.refused_outside())
            .layer(eiso_connect::ConnectLayer::with_max_message_bytes(max))
            .layer(tonic_web::GrpcWebLayer::new())
            .layer(telemetry)
            .layer(gateway)
            .add_service(health_service)
            .add_service(reflection)
            .add_service(reflection_alpha)
            .add_service(identity)
            .add_service(documents)
            .add_service(calendars)
            .add_service(catalogue)
            .add_service(dossiers)
            .add_service(audit)
            .add_service(events)
            .add_service(plans)
            .add_service(search)
            .add_service(quality)
            .add_service(sync)
            .add_service(notifications)
            .serve_with_incoming_shutdown(incoming, async move {
                shutdown.await;
                // While calls in flight drain, a health check (a load
                // balancer's probe) answers NOT_SERVING for every service
                // and for the server as a whole, so no new work is sent here.
                readiness.drain().await;
                // Event streams never end by themselves: end them so the
                // server can drain the calls in flight.
                for journal in &journals {
                    journal.close_watchers();
                }
                stop_scheduler.send_replace(true);
            })
            .await?;
        let _ = scheduler.await;
        let _ = gauges.await;
        let _ = checks.await;
        let _ = sweeps.await;
        if let Some(notifying) = notifying {
            let _ = notifying.await;
        }
        if let Some(syncing) = syncing {
            let _ = syncing.await;
        }

        // Commits what the indexer has taken in, so a restart resumes there.
        self.search.close().await;
        for (_, db) in self.trails {
            db.close().await;
        }
        tracing::info!("eiso-server stopped");
        Ok(())
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
