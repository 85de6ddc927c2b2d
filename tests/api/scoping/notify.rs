//! The cases of the applicants' notifications: the SMS that told the
//! applicant of the dossier received at S1 of its receipt (the scoping server
//! runs with an SMTP server and an SMS gateway).

use eiso_proto::eiso::notify::v1::*;
use eiso_tests::TestServer;

use super::Case;
use crate::{listed, unary};

#[derive(Debug, Clone, Default)]
pub struct Fixture {
    /// The dossier received at S1.
    pub dossier: String,
    /// Its receipt's notification, `dossiers/{id}/notifications/{n}.sms`.
    pub notification: String,
}

/// Waits until the receipt of the dossier received at S1 is notified.
pub async fn fixture(server: &TestServer, setup: &str, dossier: &str) -> Fixture {
    for _ in 0..400 {
        let listed = server
            .notifications(setup)
            .list_notifications(ListNotificationsRequest {
                filter: format!("dossier = \"{dossier}\""),
                ..Default::default()
            })
            .await
            .map(|r| r.into_inner().notifications)
            .unwrap_or_default();
        if let Some(notification) = listed.into_iter().next() {
            return Fixture {
                dossier: dossier.to_string(),
                notification: notification.name,
            };
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no notification of {dossier}");
}

pub fn cases() -> Vec<Case> {
    vec![
        Case {
            method: "/eiso.notify.v1.NotificationService/ListNotifications",
            run: listed!(
                notifications,
                list_notifications,
                |c| ListNotificationsRequest::default(),
                c.fixture.notify.notification.clone()
            ),
        },
        Case {
            // Nothing parked: FAILED_PRECONDITION past the gates.
            method: "/eiso.notify.v1.NotificationService/ResendNotifications",
            run: unary!(notifications, resend_notifications, |c| ResendNotificationsRequest {
                dossier: c.fixture.notify.dossier.clone(),
            }),
        },
    ]
}
