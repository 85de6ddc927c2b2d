//! Signing in, and clients that carry the token.

use anyhow::Context as _;
use eiso_proto::eiso::identity::v1::identity_service_client::IdentityServiceClient;
use eiso_proto::eiso::identity::v1::{LoginRequest, PasswordCredentials, login_request};
use eiso_proto::eiso::procedures::v1::dossier_service_client::DossierServiceClient;
use eiso_proto::eiso::procedures::v1::procedure_service_client::ProcedureServiceClient;
use eiso_proto::tonic::metadata::AsciiMetadataValue;
use eiso_proto::tonic::service::Interceptor;
use eiso_proto::tonic::service::interceptor::InterceptedService;
use eiso_proto::tonic::transport::Channel;
use eiso_proto::tonic::{Request, Status};

pub type Identity = IdentityServiceClient<InterceptedService<Channel, Bearer>>;
pub type Dossiers = DossierServiceClient<InterceptedService<Channel, Bearer>>;
pub type Catalogue = ProcedureServiceClient<InterceptedService<Channel, Bearer>>;

/// A signed-in user.
#[derive(Clone)]
pub struct Session {
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
        Ok(Self { bearer: Bearer(header) })
    }

    pub fn identity(&self, channel: Channel) -> Identity {
        IdentityServiceClient::with_interceptor(channel, self.bearer.clone())
    }

    pub fn dossiers(&self, channel: Channel) -> Dossiers {
        DossierServiceClient::with_interceptor(channel, self.bearer.clone())
    }

    pub fn catalogue(&self, channel: Channel) -> Catalogue {
        ProcedureServiceClient::with_interceptor(channel, self.bearer.clone())
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
