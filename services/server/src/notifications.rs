//! The applicants' notifications, when a channel is configured: an outward
//! delivery (see [`crate::outbound`] and `eiso_notify`) from the procedures
//! service's event stream. The office's own templates, if it has put any in
//! `data_dir/templates/notifications`, replace the built-in ones.

use std::sync::Arc;
use std::time::Duration;

use eiso_notify::delivery::Lookups;
use eiso_notify::notice::Names;
use eiso_notify::{Channels, Notifier, Templates};
use eiso_platform::ServiceResult;
use eiso_platform::config::{Config, NotificationsConfig};
use eiso_platform::db::Db;
use eiso_proto::eiso::event::v1::Event;
use eiso_proto::eiso::procedures::v1::{Applicant, Dossier};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_stream::wrappers::ReceiverStream;

use crate::dossier_facts::DossierFacts;
use crate::outbound::{self, Outbound};

/// The storage name of the notifications.
pub const SERVICE_NAME: &str = "notify";

struct ServiceLookups(DossierFacts);

#[eiso_proto::tonic::async_trait]
impl Lookups for ServiceLookups {
    async fn applicant(&self, dossier: &Dossier) -> ServiceResult<Option<Applicant>> {
        self.0.applicant(dossier).await
    }

    async fn names(&self, dossier: &Dossier) -> ServiceResult<Names> {
        let names = self.0.names(dossier).await?;
        Ok(Names {
            procedure: names.procedure_name,
            office: names.agency_name,
        })
    }
}

/// The notifier of the configuration.
pub fn notifier(
    settings: &NotificationsConfig,
    config: &Config,
    db: Db,
    facts: DossierFacts,
) -> anyhow::Result<Notifier> {
    let channels = Channels::new(settings).map_err(|e| anyhow::anyhow!("cannot set up the notifications: {e}"))?;
    let dir = config.data_dir.join("templates").join("notifications");
    let templates = if dir.is_dir() {
        let templates = Templates::with_overrides(&dir)
            .map_err(|e| anyhow::anyhow!("cannot load the notification templates in {}: {e}", dir.display()))?;
        tracing::info!(dir = %dir.display(), "using the office's notification templates");
        templates
    } else {
        Templates::builtin()
    };
    tracing::info!(
        email = channels.has(eiso_notify::Channel::Email),
        sms = channels.has(eiso_notify::Channel::Sms),
        "applicants are notified"
    );
    Ok(Notifier::new(
        db,
        Arc::new(channels),
        Arc::new(templates),
        Arc::new(ServiceLookups(facts)),
        settings.retry(),
        config.public_url.clone(),
    ))
}

#[derive(Clone)]
struct Notifying(Notifier);

#[eiso_proto::tonic::async_trait]
impl Outbound for Notifying {
    const NAME: &'static str = "notifications";

    async fn cursor(&self) -> ServiceResult<i64> {
        self.0.cursor().await
    }

    async fn follow(&self, events: ReceiverStream<ServiceResult<Event>>) -> ServiceResult<()> {
        self.0.follow(events).await
    }

    async fn round(&self) -> ServiceResult<()> {
        let round = self.0.round(chrono::Utc::now()).await?;
        if round.sent + round.failed > 0 {
            tracing::info!(
                sent = round.sent,
                failed = round.failed,
                parked = round.parked,
                "notifications round"
            );
        }
        Ok(())
    }
}

/// Runs the notifications until `stop`.
pub fn spawn(
    notifier: Notifier,
    journal: eiso_platform::Journal,
    interval: Duration,
    lease: eiso_platform::lease::Lease,
    stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    outbound::spawn(Notifying(notifier), journal, interval, lease, stop)
}
