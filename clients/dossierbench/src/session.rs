//! Signing in (`eiso-benchkit`), and the procedures service clients this
//! benchmark calls with the session's token.

use eiso_proto::eiso::procedures::v1::dossier_service_client::DossierServiceClient;
use eiso_proto::eiso::procedures::v1::procedure_service_client::ProcedureServiceClient;
use eiso_proto::tonic::service::interceptor::InterceptedService;
use eiso_proto::tonic::transport::Channel;

pub use eiso_benchkit::{Bearer, Session, call_error};

pub type Dossiers = DossierServiceClient<InterceptedService<Channel, Bearer>>;
pub type Catalogue = ProcedureServiceClient<InterceptedService<Channel, Bearer>>;

/// The dossier service as `session`.
pub fn dossiers(session: &Session, channel: Channel) -> Dossiers {
    DossierServiceClient::with_interceptor(channel, session.bearer())
}

/// The catalogue as `session`.
pub fn catalogue(session: &Session, channel: Channel) -> Catalogue {
    ProcedureServiceClient::with_interceptor(channel, session.bearer())
}
