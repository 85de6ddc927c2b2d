//! `eiso.notify.v1.NotificationService`: the messages to applicants, seen
//! and re-sent within the units the caller's roles cover (a message belongs
//! to its dossier's agency). Without a channel configured there is nothing
//! to see and nothing to send.

use std::sync::Arc;

use chrono::Utc;
use eiso_platform::aip::list::{Listing, Spec};
use eiso_platform::aip::time::timestamp;
use eiso_platform::directory::Directory;
use eiso_platform::outward;
use eiso_platform::scope;
use eiso_platform::{CallContext, Journal, ServiceError, ServiceResult};
use eiso_proto::eiso::notify::v1 as pb;

use crate::delivery::Notifier;
use crate::notice::{Channel, Kind};
use crate::store::{self, Message, State};

/// The notifications as the API serves them.
#[derive(Clone)]
pub struct Notifications {
    notifier: Option<Notifier>,
    directory: Arc<dyn Directory>,
}

/// ListNotifications: by state, agency and dossier, in event order.
const LIST: Spec = Spec::new(&["state", "agency", "dossier"], &[], "");

fn instant(us: i64) -> Option<eiso_proto::prost_types::Timestamp> {
    chrono::DateTime::from_timestamp_micros(us).map(timestamp)
}

/// `an.n***@example.vn`, `0912***678`: enough to tell which address, not
/// enough to copy it.
pub fn masked(recipient: &str) -> String {
    match recipient.split_once('@') {
        Some((user, host)) => format!("{}***@{host}", user.chars().take(4).collect::<String>()),
        None => {
            let digits: Vec<char> = recipient.chars().filter(char::is_ascii_digit).collect();
            let head: String = digits.iter().take(4).collect();
            // The last three only of a full number: a short one would show whole.
            let tail: String = if digits.len() >= 9 {
                digits[digits.len() - 3..].iter().collect()
            } else {
                String::new()
            };
            format!("{head}***{tail}")
        }
    }
}

fn to_proto(message: Message) -> pb::Notification {
    let waiting = matches!(message.state, State::Pending | State::Failing);
    pb::Notification {
        name: format!("{}/notifications/{}", message.dossier, message.id),
        agency: message.agency,
        kind: match Kind::of_name(&message.kind) {
            Some(Kind::Received) => pb::notification::Kind::Received,
            Some(Kind::SupplementRequested) => pb::notification::Kind::SupplementRequested,
            Some(Kind::Extended) => pb::notification::Kind::Extended,
            Some(Kind::ResultReady) => pb::notification::Kind::ResultReady,
            None => pb::notification::Kind::Unspecified,
        } as i32,
        channel: match message.channel {
            Channel::Email => pb::notification::Channel::Email,
            Channel::Sms => pb::notification::Channel::Sms,
        } as i32,
        recipient: masked(&message.recipient),
        subject: message.subject,
        state: match message.state {
            State::Pending => pb::notification::State::Pending,
            State::Sent => pb::notification::State::Sent,
            State::Failing => pb::notification::State::Failing,
            State::Parked => pb::notification::State::Parked,
        } as i32,
        attempts: message.attempts,
        last_error: message.last_error,
        last_attempt_time: message.last_attempt_us.and_then(instant),
        next_attempt_time: if waiting {
            instant(message.next_attempt_us)
        } else {
            None
        },
        create_time: instant(message.create_us),
        send_time: message.sent_us.and_then(instant),
        dossier: message.dossier,
    }
}

impl Notifications {
    pub fn new(notifier: Option<Notifier>, directory: Arc<dyn Directory>) -> Self {
        Self { notifier, directory }
    }

    pub async fn list_notifications(
        &self,
        ctx: &CallContext,
        request: pb::ListNotificationsRequest,
    ) -> ServiceResult<pb::ListNotificationsResponse> {
        let listing = Listing::parse(&LIST, request.page_size, &request.page_token, &request.filter, "")?;
        let conditions = outward::list_conditions(&listing, pb::notification::State::from_str_name)?;
        let Some(notifier) = &self.notifier else {
            return Ok(pb::ListNotificationsResponse::default());
        };
        let conditions = outward::in_scope(self.directory.as_ref(), ctx, conditions).await?;
        let mut rows = store::page(notifier.db(), conditions, listing.offset, listing.fetch()).await?;
        let next_page_token = listing.finish(&mut rows);
        Ok(pb::ListNotificationsResponse {
            notifications: rows.into_iter().map(to_proto).collect(),
            next_page_token,
        })
    }

    pub async fn resend_notifications(
        &self,
        ctx: &CallContext,
        request: pb::ResendNotificationsRequest,
    ) -> ServiceResult<pb::ResendNotificationsResponse> {
        let id = eiso_platform::aip::names::parse(&request.dossier, "dossiers", "dossier")?;
        let dossier = format!("dossiers/{id}");
        let Some(notifier) = &self.notifier else {
            return Err(ServiceError::NotFound(dossier));
        };
        let messages = store::of_dossier(notifier.db(), &dossier).await?;
        let Some(agency) = messages.first().map(|m| m.agency.clone()) else {
            return Err(ServiceError::NotFound(format!("{dossier}/notifications")));
        };
        scope::authorize(self.directory.as_ref(), ctx, &agency, &dossier).await?;
        let journal = Journal::new(notifier.db().clone());
        let mut tx = journal.begin(ctx).await?;
        if store::resend(tx.txn(), &dossier, Utc::now().timestamp_micros()).await? == 0 {
            return Err(ServiceError::precondition(
                "NOT_PARKED",
                dossier.clone(),
                format!("no notification of {dossier} is parked: they are sent as they come"),
            ));
        }
        tx.audit_resource(&format!("{dossier}/notifications"));
        tx.commit().await?;
        let messages = store::of_dossier(notifier.db(), &dossier).await?;
        Ok(pb::ResendNotificationsResponse {
            notifications: messages.into_iter().map(to_proto).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::masked;

    #[test]
    fn a_recipient_is_shown_masked() {
        assert_eq!(masked("an.nguyen@example.vn"), "an.n***@example.vn");
        assert_eq!(masked("0912 345 678"), "0912***678");
        assert_eq!(masked("09123"), "0912***");
        assert_eq!(masked("a@b.vn"), "a***@b.vn");
    }
}
