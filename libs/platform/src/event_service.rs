//! `eiso.event.v1.EventService`: how far each event stream of the services
//! hosted in this process goes, for readers that follow a stream over gRPC
//! (a search replica). A stream holds every unit's changes: a global
//! operation, for the roles at a root unit ([`scope::require_root`]), as
//! `WatchEvents` is.

use std::collections::BTreeMap;
use std::sync::Arc;

use eiso_proto::eiso::event::v1::event_service_server::EventService;
use eiso_proto::eiso::event::v1::{EventStream, GetEventStreamRequest};
use eiso_proto::tonic::{Request, Response, Status};

use crate::aip::names;
use crate::directory::Directory;
use crate::error::ServiceError;
use crate::{CallContext, Journal, scope};

/// Serves the streams of the services hosted in this process, by name.
#[derive(Clone)]
pub struct EventApi {
    journals: BTreeMap<String, Journal>,
    directory: Arc<dyn Directory>,
}

impl EventApi {
    /// `journals` by stream name (the service's, e.g. `documents`).
    pub fn new(journals: BTreeMap<String, Journal>, directory: Arc<dyn Directory>) -> Self {
        Self { journals, directory }
    }

    pub async fn get_event_stream(
        &self,
        ctx: &CallContext,
        request: GetEventStreamRequest,
    ) -> Result<EventStream, ServiceError> {
        let stream = names::parse(&request.name, "eventStreams", "name")?;
        scope::require_root(self.directory.as_ref(), ctx).await?;
        let journal = self
            .journals
            .get(&stream)
            .ok_or_else(|| ServiceError::NotFound(request.name.clone()))?;
        Ok(EventStream {
            name: format!("eventStreams/{stream}"),
            head_sequence: journal.head_sequence().await?,
        })
    }
}

#[eiso_proto::tonic::async_trait]
impl EventService for EventApi {
    async fn get_event_stream(&self, request: Request<GetEventStreamRequest>) -> Result<Response<EventStream>, Status> {
        let ctx = CallContext::from_request(&request)?;
        Ok(Response::new(
            EventApi::get_event_stream(self, &ctx, request.into_inner()).await?,
        ))
    }
}
