//! Sending: e-mail through an SMTP server (lettre), SMS through an HTTP
//! gateway. A failure says whether trying again may help: the other side
//! down, busy or silent may answer later; a refusal (a mailbox that does not
//! exist, a number the gateway will not take) will not change by itself.
//!
//! The SMS gateway's protocol is the one eiso speaks to any gateway behind
//! an adapter: `POST` of `{"id", "to", "text", "sender"}` as JSON with the
//! token as a bearer; a 2xx answer takes the message, 408, 429 and 5xx ask
//! for a later try, any other answer refuses it. `id` is the message's own
//! key, the same on a repeat, so a gateway can drop a second copy.

use std::time::Duration;

use eiso_platform::config::NotificationsConfig;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::notice::Channel;

/// Why a message did not go.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Nobody took it: the server is down, busy or did not answer.
    #[error("{channel} not sent, to be tried again: {detail}")]
    Unavailable { channel: &'static str, detail: String },
    /// The other side refused it.
    #[error("{channel} refused: {detail}")]
    Refused { channel: &'static str, detail: String },
    /// The channel is not configured (the message waits for it).
    #[error("{channel} is not configured")]
    Off { channel: &'static str },
}

impl SendError {
    pub fn is_retryable(&self) -> bool {
        !matches!(self, Self::Refused { .. })
    }
}

/// One message to send.
#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    /// The message's key, the same each time it is sent.
    pub id: &'a str,
    pub to: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
}

struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

struct SmsGateway {
    client: reqwest::Client,
    url: String,
    token: String,
    sender: String,
}

/// The configured channels.
pub struct Channels {
    mailer: Option<Mailer>,
    sms: Option<SmsGateway>,
    sms_unaccented: bool,
}

impl std::fmt::Debug for Channels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Channels")
            .field("email", &self.mailer.is_some())
            .field("sms", &self.sms.is_some())
            .finish()
    }
}

impl Channels {
    /// The channels `config` names; why one cannot be set up (the password
    /// never in the message).
    pub fn new(config: &NotificationsConfig) -> Result<Self, String> {
        let timeout = Duration::from_secs(config.timeout_seconds);
        let mailer = if config.smtp_url.is_empty() {
            None
        } else {
            let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&config.smtp_url)
                .map_err(|e| {
                    format!(
                        "notifications.smtp_url {}: {e}",
                        eiso_platform::config::redact_url(&config.smtp_url)
                    )
                })?
                .timeout(Some(timeout))
                .build();
            let from = config
                .from
                .parse::<Mailbox>()
                .map_err(|e| format!("notifications.from: {e}"))?;
            Some(Mailer { transport, from })
        };
        let sms = if config.sms_url.is_empty() {
            None
        } else {
            let client = reqwest::Client::builder()
                .timeout(timeout)
                .connect_timeout(timeout.min(Duration::from_secs(10)))
                .build()
                .map_err(|e| format!("notifications.sms_url: {e}"))?;
            Some(SmsGateway {
                client,
                url: config.sms_url.clone(),
                token: config.sms_token.clone(),
                sender: config.sms_sender.clone(),
            })
        };
        Ok(Self {
            mailer,
            sms,
            sms_unaccented: config.sms_unaccented,
        })
    }

    /// Whether messages are sent on `channel`.
    pub fn has(&self, channel: Channel) -> bool {
        match channel {
            Channel::Email => self.mailer.is_some(),
            Channel::Sms => self.sms.is_some(),
        }
    }

    /// An SMS's text as it is sent: without diacritics when so configured.
    pub fn sms_text(&self, text: &str) -> String {
        if self.sms_unaccented {
            eiso_platform::vi::unaccented(text)
        } else {
            text.to_string()
        }
    }

    pub async fn send(&self, channel: Channel, message: &Outgoing<'_>) -> Result<(), SendError> {
        match channel {
            Channel::Email => match &self.mailer {
                Some(mailer) => mailer.send(message).await,
                None => Err(SendError::Off { channel: "e-mail" }),
            },
            Channel::Sms => match &self.sms {
                Some(gateway) => gateway.send(message).await,
                None => Err(SendError::Off { channel: "SMS" }),
            },
        }
    }
}

impl Mailer {
    async fn send(&self, message: &Outgoing<'_>) -> Result<(), SendError> {
        let refused = |detail: String| SendError::Refused {
            channel: "e-mail",
            detail,
        };
        let to: Mailbox = message
            .to
            .parse()
            .map_err(|e| refused(format!("the address is not usable: {e}")))?;
        let domain = self.from.email.domain().to_string();
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.subject)
            .message_id(Some(format!("<{}@{domain}>", message.id)))
            .header(ContentType::TEXT_PLAIN)
            .body(message.body.to_string())
            .map_err(|e| refused(format!("the message cannot be built: {e}")))?;
        match self.transport.send(email).await {
            Ok(_) => Ok(()),
            Err(error) if error.is_permanent() => Err(refused(error.to_string())),
            Err(error) => Err(SendError::Unavailable {
                channel: "e-mail",
                detail: error.to_string(),
            }),
        }
    }
}

impl SmsGateway {
    async fn send(&self, message: &Outgoing<'_>) -> Result<(), SendError> {
        let unavailable = |detail: String| SendError::Unavailable { channel: "SMS", detail };
        let mut request = self.client.post(&self.url).json(&serde_json::json!({
            "id": message.id,
            "to": message.to,
            "text": message.body,
            "sender": self.sender,
        }));
        if !self.token.is_empty() {
            request = request.bearer_auth(&self.token);
        }
        let response = request
            .send()
            .await
            .map_err(|e| unavailable(e.without_url().to_string()))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let text = response.text().await.unwrap_or_default();
        let detail = format!(
            "HTTP {}: {}",
            status.as_u16(),
            text.chars().take(200).collect::<String>()
        );
        if status.is_server_error()
            || status == reqwest::StatusCode::REQUEST_TIMEOUT
            || status == reqwest::StatusCode::TOO_MANY_REQUESTS
        {
            Err(unavailable(detail))
        } else {
            Err(SendError::Refused { channel: "SMS", detail })
        }
    }
}
