//! Signing in, and clients that carry the token.

use anyhow::Context as _;
use eiso_proto::eiso::documents::v1::document_service_client::DocumentServiceClient;
use eiso_proto::eiso::identity::v1::identity_service_client::IdentityServiceClient;
use eiso_proto::eiso::identity::v1::{LoginRequest, PasswordCredentials, login_request};
use eiso_proto::tonic::metadata::AsciiMetadataValue;
use eiso_proto::tonic::service::Interceptor;
use eiso_proto::tonic::service::interceptor::InterceptedService;
use eiso_proto::tonic::transport::Channel;
use eiso_proto::tonic::{Request, Status};

/// Largest message the clients accept or send (the server's default limit).
const MAX_MESSAGE_BYTES: usize = 16 << 20;

pub type Documents = DocumentServiceClient<InterceptedService<Channel, Bearer>>;
pub type Identity = IdentityServiceClient<InterceptedService<Channel, Bearer>>;

/// A signed-in user.
#[derive(Clone)]
pub struct Session {
    /// `users/{id}`.
    pub principal: String,
    bearer: Bearer,
}

impl Session {
    pub async fn login(channel: &Channel, username: &str, password: &str) -> anyhow::Result<Self> {
        let response = IdentityServiceClient::new(channel.clone())
            .login(LoginRequest {
                credentials: Some(login_request::Credentials::Password(PasswordCredentials {
                    username: username.to_string(),
                    password: password.to_string(),
                })),
            })
            .await
            .map_err(|status| call_error(&format!("cannot sign in as {username}"), &status))?
            .into_inner();
        let header = AsciiMetadataValue::try_from(format!("Bearer {}", response.access_token))
            .context("the server returned a token that cannot be sent back")?;
        Ok(Self {
            principal: response.principal,
            bearer: Bearer(header),
        })
    }

    pub fn documents(&self, channel: Channel) -> Documents {
        DocumentServiceClient::with_interceptor(channel, self.bearer.clone())
            .max_decoding_message_size(MAX_MESSAGE_BYTES)
            .max_encoding_message_size(MAX_MESSAGE_BYTES)
    }

    pub fn identity(&self, channel: Channel) -> Identity {
        IdentityServiceClient::with_interceptor(channel, self.bearer.clone())
    }
}

/// Adds `authorization: Bearer <token>` to every call.
#[derive(Clone)]
pub struct Bearer(AsciiMetadataValue);

impl Interceptor for Bearer {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        request.metadata_mut().insert("authorization", self.0.clone());
        Ok(request)
    }
}

/// A failed call as an error: what was being done, the code and the message.
pub fn call_error(what: &str, status: &Status) -> anyhow::Error {
    anyhow::anyhow!("{what}: {:?}: {}", status.code(), status.message())
}
