//! What eiso's benchmark clients share: signing in and the bearer interceptor
//! ([`Session`]), failed calls as errors, the `main` runner, finding or
//! creating the unit a run works in (docbench, dossierbench); the report's
//! output format ([`report`]), nearest-rank percentiles ([`percentile`]), a
//! run's rate ([`rate`]) and the seeded generator ([`splitmix`]) (every bench
//! client); a browser as far as the web app's page benchmark and tests need one
//! ([`browser`]).

pub mod browser;
pub mod pages;
pub mod percentile;
pub mod rate;
pub mod report;
pub mod servers;
pub mod splitmix;

use std::future::Future;
use std::process::ExitCode;

use anyhow::Context as _;
use eiso_proto::eiso::identity::v1::identity_service_client::IdentityServiceClient;
use eiso_proto::eiso::identity::v1::{
    CreateUnitRequest, ListUnitsRequest, LoginRequest, PasswordCredentials, Unit, UnitKind, login_request,
};
use eiso_proto::tonic::metadata::AsciiMetadataValue;
use eiso_proto::tonic::service::Interceptor;
use eiso_proto::tonic::service::interceptor::InterceptedService;
use eiso_proto::tonic::transport::Channel;
use eiso_proto::tonic::{Request, Status};

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

    /// What a client built with `with_interceptor` needs to carry the token.
    pub fn bearer(&self) -> Bearer {
        self.bearer.clone()
    }

    pub fn identity(&self, channel: Channel) -> Identity {
        IdentityServiceClient::with_interceptor(channel, self.bearer())
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

/// Runs `work` on a multi-threaded runtime: exit code 0 when it succeeds, 1
/// with the error on stderr when it fails, 2 when no runtime can start.
pub fn main<F: Future<Output = anyhow::Result<()>>>(program: &str, work: impl FnOnce() -> F) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("{program}: cannot start the async runtime: {error}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(work()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{program}: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// The unit with code `code`, created (as `display_name`, of `kind`) when
/// there is none: its name, and whether it was created now.
pub async fn unit(
    identity: &mut Identity,
    code: &str,
    display_name: &str,
    kind: UnitKind,
) -> anyhow::Result<(String, bool)> {
    let existing = identity
        .list_units(ListUnitsRequest {
            filter: format!("code = \"{code}\""),
            page_size: 1,
            ..Default::default()
        })
        .await
        .map_err(|status| call_error("cannot list units", &status))?
        .into_inner()
        .units;
    if let Some(unit) = existing.into_iter().next() {
        return Ok((unit.name, false));
    }
    let unit = identity
        .create_unit(CreateUnitRequest {
            unit: Some(Unit {
                code: code.to_string(),
                display_name: display_name.to_string(),
                kind: kind as i32,
                ..Default::default()
            }),
            request_id: uuid::Uuid::new_v4().to_string(),
        })
        .await
        .map_err(|status| call_error(&format!("cannot create the unit {code}"), &status))?
        .into_inner();
    Ok((unit.name, true))
}
