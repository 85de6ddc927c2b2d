//! The audit and event services as a process serves them: the trails and
//! streams of the services hosted here; in a process without identity
//! (issue 13), calls about identity's (`trails/identity`,
//! `eventStreams/identity`) go on to the identity process at `[upstream]`
//! with the caller's own token, which that process checks and scopes as its
//! own. A client behind a load
//! balancer that routes `AuditService` and `EventService` to these processes
//! reaches every trail; the list of trails is this process's and identity's.

use std::sync::Arc;

use eiso_platform::audit_service::AuditApi;
use eiso_platform::event_service::EventApi;
use eiso_platform::gateway::bearer_token;
use eiso_proto::eiso::audit::v1::audit_service_client::AuditServiceClient;
use eiso_proto::eiso::audit::v1::audit_service_server::AuditService;
use eiso_proto::eiso::audit::v1::{
    ListAuditEntriesRequest, ListAuditEntriesResponse, ListAuditTrailsRequest, ListAuditTrailsResponse,
    VerifyAuditTrailRequest, VerifyAuditTrailResponse,
};
use eiso_proto::eiso::event::v1::event_service_client::EventServiceClient;
use eiso_proto::eiso::event::v1::event_service_server::EventService;
use eiso_proto::eiso::event::v1::{EventStream, GetEventStreamRequest};
use eiso_remote::Upstream;
use tonic::{Request, Response, Status};

/// Identity's trail and stream, which the upstream hosts.
const TRAIL: &str = "trails/identity";
const STREAM: &str = "eventStreams/identity";

/// The caller's bearer token (the gateway has checked it already).
fn token<T>(request: &Request<T>) -> Result<String, Status> {
    request
        .metadata()
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .and_then(bearer_token)
        .map(str::to_string)
        .ok_or_else(|| Status::unauthenticated("this call needs a bearer token"))
}

/// `AuditService` here, and identity's trail at the upstream when there is one.
#[derive(Clone)]
pub struct AuditRelay {
    pub local: AuditApi,
    pub upstream: Option<Arc<Upstream>>,
}

#[tonic::async_trait]
impl AuditService for AuditRelay {
    async fn list_audit_entries(
        &self,
        request: Request<ListAuditEntriesRequest>,
    ) -> Result<Response<ListAuditEntriesResponse>, Status> {
        let Some(upstream) = self.upstream.as_ref().filter(|_| request.get_ref().parent == TRAIL) else {
            return AuditService::list_audit_entries(&self.local, request).await;
        };
        let token = token(&request)?;
        let answer = upstream
            .call_as(
                &token,
                "/eiso.audit.v1.AuditService/ListAuditEntries",
                request.into_inner(),
                |channel, request| async move { AuditServiceClient::new(channel).list_audit_entries(request).await },
            )
            .await?;
        Ok(Response::new(answer))
    }

    async fn verify_audit_trail(
        &self,
        request: Request<VerifyAuditTrailRequest>,
    ) -> Result<Response<VerifyAuditTrailResponse>, Status> {
        let Some(upstream) = self.upstream.as_ref().filter(|_| request.get_ref().name == TRAIL) else {
            return AuditService::verify_audit_trail(&self.local, request).await;
        };
        let token = token(&request)?;
        let answer = upstream
            .call_as(
                &token,
                "/eiso.audit.v1.AuditService/VerifyAuditTrail",
                request.into_inner(),
                |channel, request| async move { AuditServiceClient::new(channel).verify_audit_trail(request).await },
            )
            .await?;
        Ok(Response::new(answer))
    }

    async fn list_audit_trails(
        &self,
        request: Request<ListAuditTrailsRequest>,
    ) -> Result<Response<ListAuditTrailsResponse>, Status> {
        let Some(upstream) = self.upstream.as_ref() else {
            return AuditService::list_audit_trails(&self.local, request).await;
        };
        let token = token(&request)?;
        let forwarded = *request.get_ref();
        // Here first: it refuses a caller who may not list them.
        let mut here = AuditService::list_audit_trails(&self.local, request)
            .await?
            .into_inner();
        let there = upstream
            .call_as(
                &token,
                "/eiso.audit.v1.AuditService/ListAuditTrails",
                forwarded,
                |channel, request| async move { AuditServiceClient::new(channel).list_audit_trails(request).await },
            )
            .await?;
        here.audit_trails.extend(there.audit_trails);
        here.audit_trails.sort_by(|a, b| a.name.cmp(&b.name));
        here.audit_trails.dedup_by(|a, b| a.name == b.name);
        Ok(Response::new(here))
    }
}

/// `EventService` here, and identity's stream at the upstream when there is one.
#[derive(Clone)]
pub struct EventRelay {
    pub local: EventApi,
    pub upstream: Option<Arc<Upstream>>,
}

#[tonic::async_trait]
impl EventService for EventRelay {
    async fn get_event_stream(&self, request: Request<GetEventStreamRequest>) -> Result<Response<EventStream>, Status> {
        let Some(upstream) = self.upstream.as_ref().filter(|_| request.get_ref().name == STREAM) else {
            return EventService::get_event_stream(&self.local, request).await;
        };
        let token = token(&request)?;
        let answer = upstream
            .call_as(
                &token,
                "/eiso.event.v1.EventService/GetEventStream",
                request.into_inner(),
                |channel, request| async move { EventServiceClient::new(channel).get_event_stream(request).await },
            )
            .await?;
        Ok(Response::new(answer))
    }
}
