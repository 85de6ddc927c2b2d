//! What every command needs: the server connection, the token, the reason,
//! and the request metadata they become.

use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use chrono::Utc;
use eiso_proto::eiso::audit::v1::audit_service_client::AuditServiceClient;
use eiso_proto::eiso::documents::v1::document_service_client::DocumentServiceClient;
use eiso_proto::eiso::identity::v1::identity_service_client::IdentityServiceClient;
use eiso_proto::eiso::procedures::v1::calendar_service_client::CalendarServiceClient;
use eiso_proto::eiso::procedures::v1::dossier_service_client::DossierServiceClient;
use eiso_proto::eiso::procedures::v1::procedure_service_client::ProcedureServiceClient;
use eiso_proto::tonic::metadata::{AsciiMetadataValue, BinaryMetadataValue, MetadataMap};
use eiso_proto::tonic::transport::{Channel, Endpoint};
use eiso_proto::tonic::{Request, Response, Status};

use crate::cli::{Cli, DEFAULT_SERVER};
use crate::error::CliError;
use crate::names::nfc;
use crate::output::OutputFormat;
use crate::session::{self, Session};

/// The metadata key of the bearer token.
pub const AUTHORIZATION: &str = "authorization";
/// The metadata key of the audit reason: binary metadata (base64 on the wire)
/// holding UTF-8, because ASCII metadata cannot carry Vietnamese.
pub const REASON_BIN: &str = "eiso-reason-bin";

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// How often a file transfer, which has no overall time limit, checks that the
/// server is still there.
const KEEP_ALIVE_INTERVAL: Duration = Duration::from_secs(30);
/// How long a keep-alive ping may go unanswered before the transfer fails.
const KEEP_ALIVE_TIMEOUT: Duration = Duration::from_secs(20);
/// Largest message the client accepts from the document service (a download
/// chunk is far smaller).
const MAX_DOCUMENT_MESSAGE: usize = 64 << 20;
/// Largest message the client sends to or accepts from the procedure service:
/// an imported or exported catalogue travels whole in one message.
const MAX_CATALOGUE_MESSAGE: usize = 64 << 20;

/// A command's view of the world.
pub struct Ctx {
    /// The server address, e.g. `http://127.0.0.1:50051`.
    pub server: String,
    /// Tables or JSON.
    pub output: OutputFormat,
    /// The reason to record in the audit trail, in NFC.
    pub reason: Option<String>,
    /// Where the session is saved.
    pub session_path: PathBuf,
    /// The saved session, if any (even an expired one).
    pub session: Option<Session>,
    token: Result<String, CliError>,
    channel: Channel,
    transfer_channel: Channel,
}

impl Ctx {
    /// Reads the saved session, chooses server and token, and prepares a
    /// connection (made on first use, so that commands that fail early do not
    /// need a server).
    pub fn new(cli: &Cli) -> Result<Self, CliError> {
        let session_path = session::session_path(std::env::var_os(session::CONFIG_DIR_ENV))?;
        // An unreadable session must not stop `eiso login` from replacing it:
        // it only makes calls that need the saved token fail.
        let (saved, load_error) = match session::load(&session_path) {
            Ok(saved) => (saved, None),
            Err(error) => (None, Some(error)),
        };
        // An empty EISO_SERVER or EISO_TOKEN counts as not set.
        let explicit_server = cli.server.as_deref().map(str::trim).filter(|server| !server.is_empty());
        let explicit_token = cli.token.as_deref().map(str::trim).filter(|token| !token.is_empty());
        let (server, token) = session::resolve(
            explicit_server,
            explicit_token,
            saved.as_ref(),
            DEFAULT_SERVER,
            Utc::now(),
        );
        let token = match load_error {
            Some(error) if explicit_token.is_none() => Err(error),
            _ => token,
        };
        let channel = channel(&server)?;
        let transfer_channel = transfer_channel(&server)?;
        Ok(Ctx {
            server,
            output: cli.output,
            reason: cli.reason.as_deref().map(nfc).filter(|reason| !reason.is_empty()),
            session_path,
            session: saved,
            token,
            channel,
            transfer_channel,
        })
    }

    /// A client of the identity service.
    pub fn identity(&self) -> IdentityServiceClient<Channel> {
        IdentityServiceClient::new(self.channel.clone())
    }

    /// A client of the search service.
    pub fn search(&self) -> eiso_proto::eiso::search::v1::search_service_client::SearchServiceClient<Channel> {
        eiso_proto::eiso::search::v1::search_service_client::SearchServiceClient::new(self.channel.clone())
    }

    /// A client of the applicants' notifications.
    pub fn notifications(
        &self,
    ) -> eiso_proto::eiso::notify::v1::notification_service_client::NotificationServiceClient<Channel> {
        eiso_proto::eiso::notify::v1::notification_service_client::NotificationServiceClient::new(self.channel.clone())
    }

    /// A client of the portal sync.
    pub fn sync(&self) -> eiso_proto::eiso::sync::v1::sync_service_client::SyncServiceClient<Channel> {
        eiso_proto::eiso::sync::v1::sync_service_client::SyncServiceClient::new(self.channel.clone())
    }

    /// A client of the audit service.
    pub fn audit(&self) -> AuditServiceClient<Channel> {
        AuditServiceClient::new(self.channel.clone())
    }

    /// A client of the document service, for calls that answer at once.
    pub fn documents(&self) -> DocumentServiceClient<Channel> {
        documents_client(self.channel.clone())
    }

    /// A client of the document service for uploads and downloads: no
    /// overall time limit (a large file over a slow line takes long), but
    /// HTTP/2 keep-alive pings notice a server that has gone away.
    pub fn transfers(&self) -> DocumentServiceClient<Channel> {
        documents_client(self.transfer_channel.clone())
    }

    /// A client of the calendar service.
    pub fn calendars(&self) -> CalendarServiceClient<Channel> {
        CalendarServiceClient::new(self.channel.clone())
    }

    /// A client of the procedure catalogue, whose imports and exports carry
    /// a whole CSV or XLSX file.
    pub fn procedures(&self) -> ProcedureServiceClient<Channel> {
        ProcedureServiceClient::new(self.channel.clone())
            .max_decoding_message_size(MAX_CATALOGUE_MESSAGE)
            .max_encoding_message_size(MAX_CATALOGUE_MESSAGE)
    }

    /// A client of the plans service, whose imports and exports carry a whole file.
    pub fn plans(&self) -> eiso_proto::eiso::plans::v1::plan_service_client::PlanServiceClient<Channel> {
        eiso_proto::eiso::plans::v1::plan_service_client::PlanServiceClient::new(self.channel.clone())
            .max_decoding_message_size(MAX_CATALOGUE_MESSAGE)
            .max_encoding_message_size(MAX_CATALOGUE_MESSAGE)
    }

    /// A client of the quality service.
    pub fn quality(&self) -> eiso_proto::eiso::quality::v1::quality_service_client::QualityServiceClient<Channel> {
        eiso_proto::eiso::quality::v1::quality_service_client::QualityServiceClient::new(self.channel.clone())
    }

    /// A client of the dossier service.
    pub fn dossiers(&self) -> DossierServiceClient<Channel> {
        DossierServiceClient::new(self.channel.clone())
    }

    /// Wraps `message` with the token and the reason.
    pub fn request<T>(&self, message: T) -> Result<Request<T>, CliError> {
        let token = match &self.token {
            Ok(token) => token.as_str(),
            Err(CliError::NotSignedIn(why)) => return Err(CliError::NotSignedIn(why.clone())),
            Err(other) => return Err(CliError::NotSignedIn(other.to_string())),
        };
        let mut request = Request::new(message);
        attach_metadata(request.metadata_mut(), Some(token), self.reason.as_deref())?;
        Ok(request)
    }

    /// Fails when there is no usable token, without calling the server (to
    /// stop before prompting for anything).
    pub fn ensure_signed_in(&self) -> Result<(), CliError> {
        self.request(()).map(drop)
    }

    /// Wraps `message` with the reason only (for Login).
    pub fn anonymous_request<T>(&self, message: T) -> Result<Request<T>, CliError> {
        let mut request = Request::new(message);
        attach_metadata(request.metadata_mut(), None, self.reason.as_deref())?;
        Ok(request)
    }

    /// The error for a failed call.
    pub fn rpc_error(&self, status: Status) -> CliError {
        CliError::rpc(status, &self.server)
    }

    /// What a call answers, or the error for it:
    /// `ctx.answer(ctx.identity().get_unit(request)).await?`.
    pub async fn answer<T>(&self, call: impl Future<Output = Result<Response<T>, Status>>) -> Result<T, CliError> {
        call.await
            .map(Response::into_inner)
            .map_err(|status| self.rpc_error(status))
    }

    /// The reason, or a usage error naming the command that requires it.
    pub fn required_reason(&self, command: &str) -> Result<String, CliError> {
        self.reason.clone().ok_or_else(|| {
            CliError::needs(
                command,
                "--reason TEXT",
                "why (e.g. the decision number), recorded in the audit trail",
            )
        })
    }

    /// Whether results are printed as JSON.
    pub fn json(&self) -> bool {
        self.output == OutputFormat::Json
    }
}

fn documents_client(channel: Channel) -> DocumentServiceClient<Channel> {
    DocumentServiceClient::new(channel)
        .max_decoding_message_size(MAX_DOCUMENT_MESSAGE)
        .max_encoding_message_size(MAX_DOCUMENT_MESSAGE)
}

/// A lazily connecting channel to `server` with connect and request timeouts.
fn channel(server: &str) -> Result<Channel, CliError> {
    Ok(endpoint(server)?.timeout(REQUEST_TIMEOUT).connect_lazy())
}

/// A lazily connecting channel to `server` for file transfers: a connect
/// timeout and keep-alive pings, no request timeout.
fn transfer_channel(server: &str) -> Result<Channel, CliError> {
    Ok(endpoint(server)?
        .http2_keep_alive_interval(KEEP_ALIVE_INTERVAL)
        .keep_alive_timeout(KEEP_ALIVE_TIMEOUT)
        .connect_lazy())
}

/// The checked address of `server` with the connect timeout.
fn endpoint(server: &str) -> Result<Endpoint, CliError> {
    if server.starts_with("https://") {
        return Err(CliError::Usage(format!(
            "{server}: this build of eiso speaks plaintext gRPC only; use an http:// address"
        )));
    }
    if !server.starts_with("http://") {
        return Err(CliError::Usage(format!(
            "`{server}` is not a server address: expected http://HOST:PORT"
        )));
    }
    Ok(Endpoint::from_shared(server.to_string())
        .map_err(|error| CliError::Usage(format!("`{server}` is not a server address: {error}")))?
        .connect_timeout(CONNECT_TIMEOUT))
}

/// Puts `authorization: Bearer <token>` and `eiso-reason-bin: <UTF-8 reason>`
/// into the request metadata.
pub fn attach_metadata(metadata: &mut MetadataMap, token: Option<&str>, reason: Option<&str>) -> Result<(), CliError> {
    if let Some(token) = token {
        let value = AsciiMetadataValue::try_from(format!("Bearer {token}")).map_err(|_| {
            CliError::Usage(
                "the token contains characters that cannot be sent: check --token or EISO_TOKEN".to_string(),
            )
        })?;
        metadata.insert(AUTHORIZATION, value);
    }
    if let Some(reason) = reason {
        metadata.insert_bin(REASON_BIN, BinaryMetadataValue::from_bytes(reason.as_bytes()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_carries_the_token_and_the_vietnamese_reason() -> Result<(), CliError> {
        let mut metadata = MetadataMap::new();
        let reason = "Quyết định số 12/QĐ-UBND sáp nhập trường";
        attach_metadata(&mut metadata, Some("abc.def"), Some(reason))?;
        let authorization = metadata.get(AUTHORIZATION).and_then(|value| value.to_str().ok());
        assert_eq!(authorization, Some("Bearer abc.def"));
        let bytes = metadata.get_bin(REASON_BIN).and_then(|value| value.to_bytes().ok());
        assert_eq!(bytes.as_deref(), Some(reason.as_bytes()));
        Ok(())
    }

    #[test]
    fn a_token_that_cannot_be_sent_is_refused() {
        let mut metadata = MetadataMap::new();
        let result = attach_metadata(&mut metadata, Some("tok\nen"), None);
        assert!(matches!(result, Err(CliError::Usage(_))));
    }

    #[tokio::test]
    async fn server_addresses_are_checked() {
        assert!(channel("http://127.0.0.1:50051").is_ok());
        assert!(matches!(channel("https://eiso.example:443"), Err(CliError::Usage(_))));
        assert!(matches!(channel("ftp://x"), Err(CliError::Usage(_))));
    }
}
