//! A server that notifies applicants through a real SMTP server and an SMS
//! gateway's simulator.

use eiso_notify_sim::{MailServer, SmsConfig, SmsGateway};
use eiso_platform::config::NotificationsConfig;

use crate::TestServer;

/// The address the notifications come from.
pub const NOTIFY_FROM: &str = "Bộ phận Một cửa <motcua@thuynguyen.example.gov.vn>";
/// The server's public address (the lookup links in the messages).
pub const PUBLIC_URL: &str = "https://motcua.thuynguyen.example.gov.vn";

/// An SMTP server, an SMS gateway, and the configuration that notifies
/// through both every second.
pub async fn sinks() -> (MailServer, SmsGateway, NotificationsConfig) {
    let mail = MailServer::start().expect("the SMTP server starts");
    let config = SmsConfig::default();
    let token = config.token.clone();
    let sms = SmsGateway::start(config).await.expect("the SMS gateway starts");
    let mut notifications: NotificationsConfig = serde_json::from_value(serde_json::json!({
        "smtp_url": mail.url(),
        "from": NOTIFY_FROM,
        "sms_url": sms.url(),
        "sms_token": token,
        "timeout_seconds": 5,
    }))
    .expect("a notifications configuration");
    notifications.interval_seconds = 1;
    (mail, sms, notifications)
}

impl TestServer {
    /// An SMTP server, an SMS gateway, and a server notifying through both
    /// every second, with a public address for the lookup links.
    pub async fn with_notifications() -> (MailServer, SmsGateway, TestServer) {
        Self::with_notifications_and(|_| {}).await
    }

    /// [`TestServer::with_notifications`], the notifications' configuration
    /// changed by `configure` besides (a shorter backoff, for one).
    pub async fn with_notifications_and(
        configure: impl FnOnce(&mut NotificationsConfig),
    ) -> (MailServer, SmsGateway, TestServer) {
        let (mail, sms, mut notifications) = sinks().await;
        configure(&mut notifications);
        let server = TestServer::start_configured(|config| {
            config.public_url = Some(PUBLIC_URL.into());
            config.notifications = Some(notifications);
        })
        .await;
        (mail, sms, server)
    }
}
