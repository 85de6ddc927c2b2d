//! The shared bearer token: one sign-in for all clients, an interceptor that
//! puts it on every call, and a second sign-in when the server says it expired.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use eiso_proto::eiso::identity::v1::identity_service_client::IdentityServiceClient;
use eiso_proto::eiso::identity::v1::{LoginRequest, PasswordCredentials, login_request};
use eiso_proto::tonic::metadata::AsciiMetadataValue;
use eiso_proto::tonic::service::Interceptor;
use eiso_proto::tonic::transport::Channel;
use eiso_proto::tonic::{Request, Status};

/// The token every client sends, and how to get a new one.
pub struct Auth {
    channel: Channel,
    username: String,
    password: String,
    token: RwLock<Token>,
    /// Serialises re-logins so that 32 clients seeing UNAUTHENTICATED at once
    /// sign in once, not 32 times.
    relogin: tokio::sync::Mutex<()>,
    relogins: AtomicU64,
}

#[derive(Clone)]
struct Token {
    header: AsciiMetadataValue,
    /// Bumped on every sign-in.
    generation: u64,
}

impl Auth {
    /// Signs in as `username` over `channel`.
    pub async fn login(channel: Channel, username: String, password: String) -> Result<Arc<Auth>, Status> {
        let header = sign_in(&channel, &username, &password).await?;
        Ok(Arc::new(Auth {
            channel,
            username,
            password,
            token: RwLock::new(Token { header, generation: 0 }),
            relogin: tokio::sync::Mutex::new(()),
            relogins: AtomicU64::new(0),
        }))
    }

    /// Which sign-in the current token comes from; pass it to [`Auth::refresh`].
    pub fn generation(&self) -> u64 {
        self.current().generation
    }

    /// How many times the token was renewed during the run.
    pub fn relogins(&self) -> u64 {
        self.relogins.load(Ordering::Relaxed)
    }

    /// Signs in again, unless another client already did since `seen_generation`.
    pub async fn refresh(&self, seen_generation: u64) -> Result<(), Status> {
        let _one_at_a_time = self.relogin.lock().await;
        if self.generation() != seen_generation {
            return Ok(());
        }
        let header = sign_in(&self.channel, &self.username, &self.password).await?;
        let mut token = self.token.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        token.header = header;
        token.generation += 1;
        self.relogins.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// An interceptor that adds `authorization: Bearer <token>` to each call.
    pub fn interceptor(self: &Arc<Self>) -> BearerInterceptor {
        BearerInterceptor { auth: Arc::clone(self) }
    }

    fn current(&self) -> Token {
        self.token
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}

async fn sign_in(channel: &Channel, username: &str, password: &str) -> Result<AsciiMetadataValue, Status> {
    let request = LoginRequest {
        credentials: Some(login_request::Credentials::Password(PasswordCredentials {
            username: username.to_string(),
            password: password.to_string(),
        })),
    };
    let response = IdentityServiceClient::new(channel.clone())
        .login(request)
        .await?
        .into_inner();
    AsciiMetadataValue::try_from(format!("Bearer {}", response.access_token))
        .map_err(|_| Status::internal("the server returned a token that cannot be sent back"))
}

/// Puts the current token on every outgoing call.
#[derive(Clone)]
pub struct BearerInterceptor {
    auth: Arc<Auth>,
}

impl Interceptor for BearerInterceptor {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        request
            .metadata_mut()
            .insert("authorization", self.auth.current().header);
        Ok(request)
    }
}
