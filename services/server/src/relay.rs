//! The audit and event services as a process serves them: the trails and
//! streams of the services hosted here; calls about those of a service
//! hosted elsewhere (`trails/identity`, `eventStreams/documents`, …) go on
//! to the process at that service's upstream with the caller's own token,
//! which that process checks and scopes as its own. A client behind a load
//! balancer that routes `AuditService` and `EventService` to any process
//! reaches every trail; the list of trails is this process's and those of
//! its upstreams.

use std::collections::HashMap;
use std::sync::Arc;

use eiso_platform::audit_service::AuditApi;
use eiso_platform::config::{Hosting, SERVICES};
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
use eiso_remote::{Routes, Upstream};
use tonic::{Request, Response, Status};

/// Where the trails and streams of the services not hosted here are.
#[derive(Clone, Default)]
pub struct Elsewhere {
    /// By service name (a trail's or a stream's last segment).
    by_service: HashMap<&'static str, Arc<Upstream>>,
}

impl Elsewhere {
    /// The services of `SERVICES` that `hosting` leaves to `routes`.
    pub fn new(hosting: Hosting, routes: Option<&Routes>) -> Self {
        let Some(routes) = routes else {
            return Self::default();
        };
        let by_service = SERVICES
            .into_iter()
            .filter(|service| !hosting.hosts(service) && *service != "search")
            .map(|service| (service, routes.to(service)))
            .collect();
        Self { by_service }
    }

    /// The upstream of `name` (`trails/{service}` or
    /// `eventStreams/{service}`) when its service is hosted elsewhere.
    fn of(&self, name: &str) -> Option<&Arc<Upstream>> {
        let (_, service) = name.split_once('/')?;
        self.by_service.get(service)
    }

    /// Each upstream once.
    fn upstreams(&self) -> Vec<&Arc<Upstream>> {
        let mut upstreams: Vec<&Arc<Upstream>> = self.by_service.values().collect();
        upstreams.sort_by(|a, b| a.url().cmp(b.url()));
        upstreams.dedup_by(|a, b| a.url() == b.url());
        upstreams
    }
}

/// Marks a call passed on by a relay: the process that receives it answers
/// from what it hosts, and passes nothing on again (two processes that
/// each leave a trail to the other, behind one load balancer, must not
/// pass a call back and forth).
const RELAYED: &str = "eiso-relayed";

fn relayed<T>(request: &Request<T>) -> bool {
    request.metadata().contains_key(RELAYED)
}

/// `request` marked as passed on.
fn mark<T>(mut request: Request<T>) -> Request<T> {
    request
        .metadata_mut()
        .insert(RELAYED, eiso_proto::tonic::metadata::MetadataValue::from_static("1"));
    request
}

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

/// `AuditService` here, and the trails of the services elsewhere there.
#[derive(Clone)]
pub struct AuditRelay {
    pub local: AuditApi,
    pub elsewhere: Elsewhere,
}

#[tonic::async_trait]
impl AuditService for AuditRelay {
    async fn list_audit_entries(
        &self,
        request: Request<ListAuditEntriesRequest>,
    ) -> Result<Response<ListAuditEntriesResponse>, Status> {
        let Some(upstream) = self
            .elsewhere
            .of(&request.get_ref().parent)
            .filter(|_| !relayed(&request))
        else {
            return AuditService::list_audit_entries(&self.local, request).await;
        };
        let token = token(&request)?;
        let answer =
            upstream
                .call_as(
                    &token,
                    "/eiso.audit.v1.AuditService/ListAuditEntries",
                    request.into_inner(),
                    |channel, request| async move {
                        AuditServiceClient::new(channel).list_audit_entries(mark(request)).await
                    },
                )
                .await?;
        Ok(Response::new(answer))
    }

    async fn verify_audit_trail(
        &self,
        request: Request<VerifyAuditTrailRequest>,
    ) -> Result<Response<VerifyAuditTrailResponse>, Status> {
        let Some(upstream) = self
            .elsewhere
            .of(&request.get_ref().name)
            .filter(|_| !relayed(&request))
        else {
            return AuditService::verify_audit_trail(&self.local, request).await;
        };
        let token = token(&request)?;
        let answer =
            upstream
                .call_as(
                    &token,
                    "/eiso.audit.v1.AuditService/VerifyAuditTrail",
                    request.into_inner(),
                    |channel, request| async move {
                        AuditServiceClient::new(channel).verify_audit_trail(mark(request)).await
                    },
                )
                .await?;
        Ok(Response::new(answer))
    }

    async fn list_audit_trails(
        &self,
        request: Request<ListAuditTrailsRequest>,
    ) -> Result<Response<ListAuditTrailsResponse>, Status> {
        let upstreams = self.elsewhere.upstreams();
        if upstreams.is_empty() || relayed(&request) {
            return AuditService::list_audit_trails(&self.local, request).await;
        }
        let token = token(&request)?;
        let forwarded = *request.get_ref();
        // Here first: it refuses a caller who may not list them.
        let mut here = AuditService::list_audit_trails(&self.local, request)
            .await?
            .into_inner();
        for upstream in upstreams {
            let there = upstream
                .call_as(
                    &token,
                    "/eiso.audit.v1.AuditService/ListAuditTrails",
                    forwarded,
                    |channel, request| async move {
                        AuditServiceClient::new(channel).list_audit_trails(mark(request)).await
                    },
                )
                .await?;
            here.audit_trails.extend(there.audit_trails);
        }
        here.audit_trails.sort_by(|a, b| a.name.cmp(&b.name));
        here.audit_trails.dedup_by(|a, b| a.name == b.name);
        Ok(Response::new(here))
    }
}

/// `EventService` here, and the streams of the services elsewhere there.
#[derive(Clone)]
pub struct EventRelay {
    pub local: EventApi,
    pub elsewhere: Elsewhere,
}

#[tonic::async_trait]
impl EventService for EventRelay {
    async fn get_event_stream(&self, request: Request<GetEventStreamRequest>) -> Result<Response<EventStream>, Status> {
        let Some(upstream) = self
            .elsewhere
            .of(&request.get_ref().name)
            .filter(|_| !relayed(&request))
        else {
            return EventService::get_event_stream(&self.local, request).await;
        };
        let token = token(&request)?;
        let answer = upstream
            .call_as(
                &token,
                "/eiso.event.v1.EventService/GetEventStream",
                request.into_inner(),
                |channel, request| async move { EventServiceClient::new(channel).get_event_stream(mark(request)).await },
            )
            .await?;
        Ok(Response::new(answer))
    }
}
