//! Signing in (`eiso-benchkit`), and the document service client this
//! benchmark calls with the session's token.

use eiso_proto::eiso::documents::v1::document_service_client::DocumentServiceClient;
use eiso_proto::tonic::service::interceptor::InterceptedService;
use eiso_proto::tonic::transport::Channel;

pub use eiso_benchkit::{Bearer, Session, call_error};

/// Largest message the clients accept or send (the server's default limit).
const MAX_MESSAGE_BYTES: usize = 16 << 20;

pub type Documents = DocumentServiceClient<InterceptedService<Channel, Bearer>>;

/// The document service as `session`, with the server's message limit.
pub fn documents(session: &Session, channel: Channel) -> Documents {
    DocumentServiceClient::with_interceptor(channel, session.bearer())
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES)
}
