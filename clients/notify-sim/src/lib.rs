//! What the applicants' notifications reach in tests and the demo.
//!
//! - [`MailServer`]: a real SMTP server (mailin-embedded speaks the
//!   protocol; nothing of the client is mocked) on a local port. It keeps
//!   each message it takes, decoded (the subject from RFC 2047, the text from
//!   quoted-printable or base64), and can be told to refuse a mailbox (550)
//!   or to be unavailable (421 to every transaction).
//! - [`SmsGateway`]: a simulator of an SMS gateway speaking the protocol
//!   eiso sends to (`POST` JSON `{"id", "to", "text", "sender"}` with a bearer
//!   token). It checks what it receives — the token, an id, a phone number of
//!   9 to 15 digits, a non-empty text, and, when so configured, a text
//!   without diacritics — answers 401 or 400 naming the fault, and can be
//!   told to fail the next calls with a status. It keeps every request, and
//!   the messages once each by id (as a gateway that drops repeats would).

use std::collections::HashSet;
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use mailin_embedded::{Handler, Response, Server, SslConfig, response};

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// One message the SMTP server took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// The envelope's sender and recipients.
    pub from: String,
    pub to: Vec<String>,
    /// The headers as decoded.
    pub subject: String,
    pub message_id: String,
    /// `From:` as written, with its display name.
    pub from_header: String,
    /// The text body, decoded.
    pub text: String,
    /// The message as it came.
    pub raw: Vec<u8>,
}

#[derive(Default)]
struct MailState {
    mails: Mutex<Vec<Mail>>,
    refused: Mutex<HashSet<String>>,
    down: AtomicBool,
}

#[derive(Clone)]
struct MailHandler {
    state: Arc<MailState>,
    from: String,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for MailHandler {
    fn mail(&mut self, _ip: std::net::IpAddr, _domain: &str, from: &str) -> Response {
        if self.state.down.load(Ordering::SeqCst) {
            return response::NO_SERVICE;
        }
        self.from = from.to_string();
        self.to.clear();
        self.data.clear();
        response::OK
    }

    fn rcpt(&mut self, to: &str) -> Response {
        if lock(&self.state.refused).contains(&to.to_ascii_lowercase()) {
            return response::NO_MAILBOX;
        }
        self.to.push(to.to_string());
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let raw = std::mem::take(&mut self.data);
        let Some(parsed) = mail_parser::MessageParser::default().parse(&raw) else {
            return response::TRANSACTION_FAILED;
        };
        let from_header = parsed
            .from()
            .and_then(|from| from.first())
            .map(|from| match (from.name(), from.address()) {
                (Some(name), Some(address)) => format!("{name} <{address}>"),
                (None, Some(address)) => address.to_string(),
                _ => String::new(),
            })
            .unwrap_or_default();
        let mail = Mail {
            from: self.from.clone(),
            to: self.to.clone(),
            subject: parsed.subject().unwrap_or_default().to_string(),
            message_id: parsed.message_id().unwrap_or_default().to_string(),
            from_header,
            text: parsed.body_text(0).map(|text| text.to_string()).unwrap_or_default(),
            raw: raw.clone(),
        };
        lock(&self.state.mails).push(mail);
        response::OK
    }
}

/// A running SMTP server; it stops with the process.
#[derive(Clone)]
pub struct MailServer {
    addr: SocketAddr,
    state: Arc<MailState>,
}

impl MailServer {
    /// Starts a server on a free local port, on its own threads.
    pub fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let state = Arc::new(MailState::default());
        let handler = MailHandler {
            state: state.clone(),
            from: String::new(),
            to: Vec::new(),
            data: Vec::new(),
        };
        let mut server = Server::new(handler);
        server
            .with_name("mail.test.invalid")
            .with_ssl(SslConfig::None)
            .map_err(|e| std::io::Error::other(e.to_string()))?
            .with_num_threads(4)
            .with_tcp_listener(listener);
        std::thread::Builder::new().name("smtp-server".into()).spawn(move || {
            let _ = server.serve();
        })?;
        Ok(Self { addr, state })
    }

    /// `smtp://127.0.0.1:<port>` (plain SMTP, no authentication).
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// Every message taken so far, in the order they came.
    pub fn mails(&self) -> Vec<Mail> {
        lock(&self.state.mails).clone()
    }

    /// Refuse mail to `address` with 550 from now on.
    pub fn refuse(&self, address: &str) {
        lock(&self.state.refused).insert(address.to_ascii_lowercase());
    }

    /// Take mail to `address` again.
    pub fn accept(&self, address: &str) {
        lock(&self.state.refused).remove(&address.to_ascii_lowercase());
    }

    /// Answer 421 to every transaction while `down`.
    pub fn set_down(&self, down: bool) {
        self.state.down.store(down, Ordering::SeqCst);
    }
}

mod sms;
pub use sms::{Sms, SmsConfig, SmsGateway};
