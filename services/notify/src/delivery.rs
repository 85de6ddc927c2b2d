//! From the event stream to the applicant: taking events in (each notifying
//! event rendered into its messages, kept with the cursor's move), and
//! delivery rounds that send what is due, each dossier's messages on a
//! channel in the order of their events.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use eiso_platform::db::Db;
use eiso_platform::outward::{self, Failure};
use eiso_platform::retry::Retry;
use eiso_platform::{ServiceError, ServiceResult};
use eiso_proto::eiso::event::v1::Event;
use eiso_proto::eiso::procedures::v1::{Applicant, Dossier};
use eiso_proto::prost::Message as _;
use futures::{Stream, StreamExt};

use crate::channels::{Channels, Outgoing};
use crate::notice::{Channel, Kind, Names, Notice};
use crate::store::{self, Message, State};
use crate::templates::Templates;

/// The stream the notifier follows.
pub const STREAM: &str = "procedures";
const DOSSIER_TYPE: &str = "eiso.procedures.v1.Dossier";
/// Lines (a dossier on a channel) served at once in a round.
const PARALLEL: usize = 8;

/// What the notices want that an event does not hold.
#[eiso_proto::tonic::async_trait]
pub trait Lookups: Send + Sync {
    /// The applicant of `dossier` as the dossier has them now: events carry
    /// dossiers without personal data.
    async fn applicant(&self, dossier: &Dossier) -> ServiceResult<Option<Applicant>>;
    /// The procedure's and the office's names.
    async fn names(&self, dossier: &Dossier) -> ServiceResult<Names>;
}

/// What a round did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Round {
    pub sent: u64,
    pub failed: u64,
    pub parked: u64,
}

/// The notifications of one office.
#[derive(Clone)]
pub struct Notifier {
    db: Db,
    channels: Arc<Channels>,
    templates: Arc<Templates>,
    lookups: Arc<dyn Lookups>,
    retry: Retry,
    /// Where applicants follow their dossier (the web app's lookup page).
    public_url: Option<String>,
}

fn micros(time: DateTime<Utc>) -> i64 {
    time.timestamp_micros()
}

impl Notifier {
    pub fn new(
        db: Db,
        channels: Arc<Channels>,
        templates: Arc<Templates>,
        lookups: Arc<dyn Lookups>,
        retry: Retry,
        public_url: Option<String>,
    ) -> Self {
        Self {
            db,
            channels,
            templates,
            lookups,
            retry,
            public_url,
        }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Where to resume the stream.
    pub async fn cursor(&self) -> ServiceResult<i64> {
        store::cursor(&self.db, STREAM).await
    }

    /// Takes in one event: a notifying event of a dossier whose applicant
    /// can be reached becomes its messages, one a configured channel.
    pub async fn take_in(&self, event: &Event, now: DateTime<Utc>) -> ServiceResult<()> {
        let messages = self.messages_of(event, now).await?;
        store::take_in(&self.db, STREAM, event.sequence, &messages).await
    }

    async fn messages_of(&self, event: &Event, now: DateTime<Utc>) -> ServiceResult<Vec<Message>> {
        let Some(kind) = Kind::of_event(&event.r#type) else {
            return Ok(Vec::new());
        };
        let Some(dossier) = event
            .payload
            .as_ref()
            .filter(|any| any.type_url.ends_with(DOSSIER_TYPE))
            .and_then(|any| Dossier::decode(any.value.as_slice()).ok())
        else {
            return Ok(Vec::new());
        };
        let channels: Vec<Channel> = Channel::ALL.into_iter().filter(|c| self.channels.has(*c)).collect();
        if channels.is_empty() {
            return Ok(Vec::new());
        }
        let applicant = match dossier.applicant.clone().filter(|a| !a.full_name.is_empty()) {
            Some(applicant) => Some(applicant),
            None => self.lookups.applicant(&dossier).await?,
        };
        let Some(applicant) = applicant else {
            return Ok(Vec::new());
        };
        let reachable: Vec<(Channel, String)> = channels
            .into_iter()
            .filter_map(|channel| channel.address(&applicant).map(|address| (channel, address)))
            .collect();
        if reachable.is_empty() {
            return Ok(Vec::new());
        }
        let names = self.lookups.names(&dossier).await?;
        let notice = Notice::of(kind, &dossier, &applicant, &names, self.public_url.as_deref());
        let create_us = event
            .create_time
            .as_ref()
            .and_then(eiso_platform::aip::time::stored_instant)
            .map_or_else(|| micros(now), micros);
        let mut messages = Vec::new();
        for (channel, recipient) in reachable {
            let rendered = self
                .templates
                .render(kind, channel, &notice)
                .map_err(|e| ServiceError::Internal(e.to_string()))?;
            let body = match channel {
                Channel::Email => rendered.body,
                Channel::Sms => self.channels.sms_text(&rendered.body),
            };
            messages.push(Message {
                id: Message::key(event.sequence, channel),
                dossier: dossier.name.clone(),
                agency: dossier.agency.clone(),
                sequence: event.sequence,
                channel,
                kind: kind.name().to_string(),
                recipient,
                subject: rendered.subject,
                body,
                state: State::Pending,
                attempts: 0,
                last_error: String::new(),
                last_attempt_us: None,
                next_attempt_us: micros(now),
                create_us,
                sent_us: None,
            });
        }
        Ok(messages)
    }

    /// Takes in every event `events` brings, until it ends.
    pub async fn follow(&self, events: impl Stream<Item = ServiceResult<Event>>) -> ServiceResult<()> {
        outward::follow(events, |event, now| async move { self.take_in(&event, now).await }).await
    }

    /// Sends what is due at `now`: the first unsent message of each line,
    /// and the ones after it while they go through.
    pub async fn round(&self, now: DateTime<Utc>) -> ServiceResult<Round> {
        let due = store::due(&self.db, micros(now), 1000).await?;
        let outcomes: Vec<ServiceResult<Round>> = futures::stream::iter(due)
            .map(|message| self.deliver(message, now))
            .buffer_unordered(PARALLEL)
            .collect()
            .await;
        let mut round = Round::default();
        for outcome in outcomes {
            let one = outcome?;
            round.sent += one.sent;
            round.failed += one.failed;
            round.parked += one.parked;
        }
        Ok(round)
    }

    async fn deliver(&self, first: Message, now: DateTime<Utc>) -> ServiceResult<Round> {
        let mut round = Round::default();
        let mut message = first;
        loop {
            let outgoing = Outgoing {
                id: &message.id,
                to: &message.recipient,
                subject: &message.subject,
                body: &message.body,
            };
            match self.channels.send(message.channel, &outgoing).await {
                Ok(()) => {
                    store::sent(&self.db, &message.id, micros(now)).await?;
                    round.sent += 1;
                }
                Err(error) => {
                    let text = error.to_string();
                    let failure =
                        Failure::after(&self.retry, message.attempts, &text, error.is_retryable(), micros(now));
                    let (attempts, parked) = (failure.attempts, failure.parked);
                    tracing::warn!(notification = %message.id, dossier = %message.dossier, attempts, parked, %error, "notification not sent");
                    store::failed(&self.db, &message.id, failure).await?;
                    round.failed += 1;
                    round.parked += u64::from(parked);
                    return Ok(round);
                }
            }
            match store::next_in_line(&self.db, &message.dossier, message.channel, message.sequence).await? {
                Some(next) if next.state != State::Parked && next.next_attempt_us <= micros(now) => message = next,
                _ => return Ok(round),
            }
        }
    }

    /// Sends the parked messages of `dossier` again at the next round; how
    /// many there were.
    pub async fn resend(&self, dossier: &str, now: DateTime<Utc>) -> ServiceResult<u64> {
        let txn = self.db.begin_write().await?;
        let parked = store::resend(&txn, dossier, micros(now)).await?;
        txn.commit().await?;
        Ok(parked)
    }
}
