//! Delivering dossiers to the portal from the procedures service's event
//! stream: each dossier's changes in order, at least once (the portal's
//! create-or-update makes a repeat harmless), one dossier's failure never
//! holding up another. A failed attempt is tried again after a backoff that
//! doubles with each failure (with jitter, so a portal coming back is not hit
//! by everyone at once); a dossier that keeps failing is parked with its last
//! error until an administrator sends it again.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use eiso_platform::ServiceResult;
use eiso_platform::db::Db;
use eiso_platform::outward::{self, Failure};
pub use eiso_platform::retry::Retry;
use eiso_proto::eiso::event::v1::Event;
use eiso_proto::eiso::procedures::v1::{Applicant, Dossier};
use eiso_proto::prost::Message;
use futures::{Stream, StreamExt};

use crate::portal::{Portal, PortalError};
use crate::record::{self, Handler, Names};
use crate::store::{self, Change};

/// The stream the sync follows.
pub const STREAM: &str = "procedures";
/// The events that change what the portal shows of a dossier.
const DOSSIER_EVENTS: &str = "procedures.dossier.";
const DOSSIER_TYPE: &str = "eiso.procedures.v1.Dossier";
/// Dossiers delivered at once in a round.
const PARALLEL: usize = 8;
/// Dossiers read at once from the due ones.
const BATCH: u64 = 1000;

/// What the portal wants that a dossier does not hold: the names of its
/// procedure, field and agency, and of the people who handled it.
#[eiso_proto::tonic::async_trait]
pub trait Lookups: Send + Sync {
    async fn names(&self, dossier: &Dossier) -> ServiceResult<Names>;
    async fn handler(&self, user: &str) -> Handler;
    /// The applicant of `dossier`: events carry dossiers without personal
    /// data, which the portal needs (the applicant as the dossier has it now).
    async fn applicant(&self, dossier: &Dossier) -> ServiceResult<Option<Applicant>>;
}

/// What a round of delivery did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Round {
    /// Changes the portal took.
    pub delivered: u64,
    /// Dossiers whose attempt failed (and will be tried again).
    pub failed: u64,
    /// Dossiers parked in this round.
    pub parked: u64,
}

/// The sync of one office's dossiers with the portal.
#[derive(Clone)]
pub struct Delivery {
    db: Db,
    portal: Arc<Portal>,
    lookups: Arc<dyn Lookups>,
    retry: Retry,
}

fn micros(time: DateTime<Utc>) -> i64 {
    time.timestamp_micros()
}

impl Delivery {
    pub fn new(db: Db, portal: Arc<Portal>, lookups: Arc<dyn Lookups>, retry: Retry) -> Self {
        Self {
            db,
            portal,
            lookups,
            retry,
        }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Where to resume the stream: the last event taken in.
    pub async fn cursor(&self) -> ServiceResult<i64> {
        store::cursor(&self.db, STREAM).await
    }

    /// Takes in one event of the stream: a dossier's change is kept for
    /// delivery; any other event only moves the cursor.
    pub async fn take_in(&self, event: &Event, now: DateTime<Utc>) -> ServiceResult<()> {
        let dossier = event
            .payload
            .as_ref()
            .filter(|_| event.r#type.starts_with(DOSSIER_EVENTS))
            .filter(|any| any.type_url.ends_with(DOSSIER_TYPE))
            .and_then(|any| {
                Dossier::decode(any.value.as_slice())
                    .ok()
                    .map(|d| (d, any.value.clone()))
            });
        let Some((dossier, payload)) = dossier else {
            return store::take_in(&self.db, STREAM, event.sequence, None, micros(now)).await;
        };
        let change = Change {
            dossier: dossier.name.clone(),
            sequence: event.sequence,
            event_type: event.r#type.clone(),
            payload,
            create_time_us: event
                .create_time
                .as_ref()
                .and_then(eiso_platform::aip::time::stored_instant)
                .map_or_else(|| micros(now), micros),
        };
        let keys = store::Keys {
            code: dossier.code.clone(),
            agency: dossier.agency.clone(),
            receive_time_us: dossier
                .receive_time
                .as_ref()
                .and_then(eiso_platform::aip::time::stored_instant)
                .map(micros),
        };
        store::take_in(&self.db, STREAM, event.sequence, Some((&change, &keys)), micros(now)).await
    }

    /// Takes in every event `events` brings, until it ends.
    pub async fn follow(&self, events: impl Stream<Item = ServiceResult<Event>>) -> ServiceResult<()> {
        outward::follow(events, |event, now| async move { self.take_in(&event, now).await }).await
    }

    /// Delivers what is due at `now`: each due dossier's changes in order,
    /// up to the first that fails; batch after batch while batches come
    /// full, so that the rate is not capped at a batch an interval.
    pub async fn round(&self, now: DateTime<Utc>) -> ServiceResult<Round> {
        let mut round = Round::default();
        loop {
            let due = store::due(&self.db, micros(now), BATCH).await?;
            let full = due.len() as u64 == BATCH;
            let outcomes: Vec<ServiceResult<Round>> = futures::stream::iter(due)
                .map(|sync| self.deliver(sync, now))
                .buffer_unordered(PARALLEL)
                .collect()
                .await;
            let mut progress = 0;
            for outcome in outcomes {
                let one = outcome?;
                progress += one.delivered + one.failed;
                round.delivered += one.delivered;
                round.failed += one.failed;
                round.parked += one.parked;
            }
            if !full || progress == 0 {
                return Ok(round);
            }
        }
    }

    async fn deliver(&self, sync: store::DossierSync, now: DateTime<Utc>) -> ServiceResult<Round> {
        let mut round = Round::default();
        let mut synced = sync.synced_sequence;
        let mut known = sync.portal_known.then_some(true);
        while let Some(change) = store::next_change(&self.db, &sync.dossier, synced).await? {
            match self.send(&change, known).await {
                Ok(()) => {
                    store::delivered(&self.db, &sync.dossier, change.sequence, micros(now)).await?;
                    round.delivered += 1;
                    synced = change.sequence;
                    known = Some(true);
                }
                Err(error) => {
                    let text = error.to_string();
                    let failure = Failure::after(&self.retry, sync.attempts, &text, error.is_retryable(), micros(now));
                    let (attempts, parked) = (failure.attempts, failure.parked);
                    tracing::warn!(dossier = %sync.dossier, attempts, parked, %error, "portal sync failed");
                    store::failed(&self.db, &sync.dossier, failure).await?;
                    round.failed += 1;
                    round.parked += u64::from(parked);
                    break;
                }
            }
        }
        Ok(round)
    }

    /// Sends one change: the dossier as it was after it, and its steps.
    async fn send(&self, change: &Change, known: Option<bool>) -> Result<(), PortalError> {
        let unreadable = |detail: String| PortalError::Refused {
            operation: "DongBoHoSoMC",
            code: -1,
            message: detail,
        };
        let mut dossier = Dossier::decode(change.payload.as_slice()).map_err(|e| unreadable(e.to_string()))?;
        let looked_up = |what: &str, e: eiso_platform::ServiceError| PortalError::Unavailable {
            operation: "DongBoHoSoMC",
            detail: format!("the dossier's {what}: {e}"),
        };
        if dossier.applicant.as_ref().is_none_or(|a| a.full_name.is_empty()) {
            dossier.applicant = self
                .lookups
                .applicant(&dossier)
                .await
                .map_err(|e| looked_up("applicant", e))?;
        }
        let names = self.lookups.names(&dossier).await.map_err(|e| looked_up("names", e))?;
        self.portal
            .send_dossier(&record::dossier(&dossier, &names), known)
            .await?;
        let mut handlers = HashMap::new();
        for handover in &dossier.handovers {
            if !handlers.contains_key(&handover.receiver) {
                handlers.insert(
                    handover.receiver.clone(),
                    self.lookups.handler(&handover.receiver).await,
                );
            }
        }
        let steps = record::steps(&dossier, |user| handlers.get(user).cloned().unwrap_or_default());
        self.portal.send_steps(steps).await
    }

    /// Dossiers of `agency` received from `start` to `end` (exclusive) that
    /// the portal has up to date.
    pub async fn synced_received(&self, agency: &str, start: DateTime<Utc>, end: DateTime<Utc>) -> ServiceResult<i64> {
        store::synced_received(&self.db, agency, micros(start), micros(end)).await
    }

    /// Sends a parked dossier again at the next round; whether it was parked.
    pub async fn resend(&self, dossier: &str, now: DateTime<Utc>) -> ServiceResult<bool> {
        let txn = self.db.begin_write().await?;
        let parked = store::resend(&txn, dossier, micros(now)).await?;
        txn.commit().await?;
        Ok(parked)
    }
}
