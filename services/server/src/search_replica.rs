//! A search replica (`services = ["search"]`): a process that hosts only the
//! search service, with an index of its own built from the event streams of
//! the process at `[upstream]`, followed over gRPC. Callers' tokens are
//! checked by identity there (`WhoAmI`), and the unit tree that decides who
//! sees which result is read from there too; the replica keeps no database.
//!
//! Its health: SERVING once the index is open (it answers from what it has
//! taken in while it catches up, as a restarted server does) and while the
//! upstream's health answers SERVING (asked every `[health]
//! check_interval_ms`); NOT_SERVING while it drains; `liveness` as in the
//! full server.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use eiso_platform::config::Config;
use eiso_platform::directory::Directory;
use eiso_platform::gateway::GatewayLayer;
use eiso_proto::eiso::search::v1::search_service_server::SearchServiceServer;
use eiso_remote::{RemoteDirectory, RemoteVerifier, Routes, Upstream};
use eiso_search::extract::Extractor;
use eiso_search::{Search, SearchApi};
use tokio::net::TcpListener;

use crate::readiness::{self, Readiness};
use crate::remote_reads::RemoteReads;
use crate::{reflection, search_sources};

/// The service a search replica hosts.
pub const SERVICE_NAME: &str = "eiso.search.v1.SearchService";

/// How long a file download for indexing may take (the largest file the
/// extractor reads, over a slow link).
const FILE_DEADLINE: Duration = Duration::from_secs(300);

/// A search replica, its index open.
pub struct SearchReplica {
    config: Config,
    search: Search,
    verifier: Arc<RemoteVerifier>,
    /// Where identity is: tokens are checked there, and readiness follows it.
    upstream: Arc<Upstream>,
}

impl SearchReplica {
    /// Opens the index (building it from the upstream's streams when it is
    /// new) and prepares the upstream calls; nothing is called before the
    /// index's followers start.
    pub async fn prepare(config: Config, extractor: Extractor) -> anyhow::Result<Self> {
        let settings = config
            .upstream
            .clone()
            .ok_or_else(|| anyhow::anyhow!("a search replica needs [upstream]"))?;
        let setup = |e| anyhow::anyhow!("cannot set up the upstream: {e}");
        let routes = Arc::new(Routes::new(&settings).map_err(setup)?);
        let files = Arc::new(Routes::with_timeout(&settings, FILE_DEADLINE).map_err(setup)?);
        // Tokens are checked and the unit tree read where identity is.
        let upstream = routes.to("identity");
        let directory: Arc<dyn Directory> = Arc::new(RemoteDirectory::new(upstream.clone()));
        let search = Search::open(
            &config.search_dir(),
            search_sources::sources(Arc::new(RemoteReads::new(routes, files)), extractor, directory.clone()),
            directory,
            eiso_procedures::PERSONAL_DATA_ROLES.to_vec(),
        )
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the search index: {e}"))?;
        tracing::info!(upstream = %upstream.url(), "search replica: following the services upstream");
        Ok(Self {
            config,
            search,
            verifier: Arc::new(RemoteVerifier::new(upstream.clone())),
            upstream,
        })
    }

    /// Serves until `shutdown` completes, then lets calls in flight finish and
    /// commits the index.
    pub async fn serve(self, listener: TcpListener, shutdown: impl Future<Output = ()> + Send) -> anyhow::Result<()> {
        let max = self.config.max_message_bytes;
        let (health, health_service) = tonic_health::server::health_reporter();
        let readiness = Readiness::serving(health, &[SERVICE_NAME]).await;
        // Ready while the upstream serves: without it no token can be checked.
        let (stop_checks, checks_stopped) = tokio::sync::watch::channel(false);
        let checks = readiness.clone().spawn_checks(
            readiness::dependencies(&HashMap::new(), Some(self.upstream.channel())),
            Duration::from_millis(self.config.health.check_interval_ms),
            Duration::from_millis(self.config.health.check_timeout_ms),
            checks_stopped,
        );
        let (reflection, reflection_alpha) = reflection::services(&[SERVICE_NAME])?;
        let search = SearchServiceServer::new(SearchApi::new(self.search.clone()))
            .max_decoding_message_size(max)
            .max_encoding_message_size(max);
        // No trails here: the search service writes none.
        let gateway = GatewayLayer::new(self.verifier.clone(), HashMap::new());
        let telemetry = eiso_telemetry::GrpcTelemetryLayer::new()
            .known_methods(|method| eiso_platform::policy::rule(method).is_some());
        // The line process tests wait for, as the full server's.
        tracing::info!(address = %listener.local_addr()?, services = "search", "eiso-server serving");
        let incoming = tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true));
        tonic::transport::Server::builder()
            .accept_http1(true)
            .layer(telemetry.refused_outside())
            .layer(eiso_connect::ConnectLayer::with_max_message_bytes(max))
            .layer(tonic_web::GrpcWebLayer::new())
            .layer(telemetry)
            .layer(gateway)
            .add_service(health_service)
            .add_service(reflection)
            .add_service(reflection_alpha)
            .add_service(search)
            .serve_with_incoming_shutdown(incoming, async move {
                shutdown.await;
                readiness.drain().await;
                stop_checks.send_replace(true);
            })
            .await?;
        let _ = checks.await;
        self.search.close().await;
        tracing::info!("search replica stopped");
        Ok(())
    }
}
