//! The tonic adapter: read the call context, call the service, map errors.

use eiso_platform::{CallContext, ServiceError};
use eiso_proto::eiso::plans::v1::plan_service_server::PlanService;
use eiso_proto::eiso::plans::v1::*;
use eiso_proto::tonic::{Request, Response, Status};
use futures::{Stream, StreamExt};

use crate::Plans;

type Result<T> = std::result::Result<Response<T>, Status>;
type BoxStream<T> = std::pin::Pin<Box<dyn Stream<Item = std::result::Result<T, Status>> + Send>>;

fn reply<T>(result: eiso_platform::ServiceResult<T>) -> Result<T> {
    result.map(Response::new).map_err(Status::from)
}

/// Runs a handler with the call context and the request message.
macro_rules! call {
    ($self:ident, $request:ident, $method:ident) => {{
        let ctx = CallContext::from_request(&$request)?;
        reply($self.plans.$method(&ctx, $request.into_inner()).await)
    }};
    ($self:ident, $request:ident, $method:ident, request_id) => {{
        let ctx = CallContext::from_request(&$request)?;
        let request = $request.into_inner();
        let ctx = ctx.with_request_id(&request.request_id);
        reply($self.plans.$method(&ctx, request).await)
    }};
}

/// `eiso.plans.v1.PlanService`.
#[derive(Clone)]
pub struct PlanApi {
    plans: Plans,
}

impl PlanApi {
    pub fn new(plans: Plans) -> Self {
        Self { plans }
    }
}

#[eiso_proto::tonic::async_trait]
impl PlanService for PlanApi {
    async fn create_plan(&self, request: Request<CreatePlanRequest>) -> Result<Plan> {
        call!(self, request, create_plan, request_id)
    }

    async fn get_plan(&self, request: Request<GetPlanRequest>) -> Result<Plan> {
        call!(self, request, get_plan)
    }

    async fn list_plans(&self, request: Request<ListPlansRequest>) -> Result<ListPlansResponse> {
        call!(self, request, list_plans)
    }

    async fn update_plan(&self, request: Request<UpdatePlanRequest>) -> Result<Plan> {
        call!(self, request, update_plan)
    }

    async fn create_task(&self, request: Request<CreateTaskRequest>) -> Result<Task> {
        call!(self, request, create_task, request_id)
    }

    async fn get_task(&self, request: Request<GetTaskRequest>) -> Result<Task> {
        call!(self, request, get_task)
    }

    async fn list_tasks(&self, request: Request<ListTasksRequest>) -> Result<ListTasksResponse> {
        call!(self, request, list_tasks)
    }

    async fn update_task(&self, request: Request<UpdateTaskRequest>) -> Result<Task> {
        call!(self, request, update_task)
    }

    async fn record_task_progress(&self, request: Request<RecordTaskProgressRequest>) -> Result<Task> {
        call!(self, request, record_progress, request_id)
    }

    async fn add_task_evidence(&self, request: Request<AddTaskEvidenceRequest>) -> Result<Task> {
        call!(self, request, add_evidence)
    }

    async fn remove_task_evidence(&self, request: Request<RemoveTaskEvidenceRequest>) -> Result<Task> {
        call!(self, request, remove_evidence)
    }

    async fn list_tasks_by_evidence(
        &self,
        request: Request<ListTasksByEvidenceRequest>,
    ) -> Result<ListTasksByEvidenceResponse> {
        call!(self, request, list_tasks_by_evidence)
    }

    async fn create_target(&self, request: Request<CreateTargetRequest>) -> Result<Target> {
        call!(self, request, create_target, request_id)
    }

    async fn get_target(&self, request: Request<GetTargetRequest>) -> Result<Target> {
        call!(self, request, get_target)
    }

    async fn list_targets(&self, request: Request<ListTargetsRequest>) -> Result<ListTargetsResponse> {
        call!(self, request, list_targets)
    }

    async fn update_target(&self, request: Request<UpdateTargetRequest>) -> Result<Target> {
        call!(self, request, update_target)
    }

    async fn evaluate_targets(&self, request: Request<EvaluateTargetsRequest>) -> Result<EvaluateTargetsResponse> {
        call!(self, request, evaluate_targets)
    }

    async fn generate_report(&self, request: Request<GenerateReportRequest>) -> Result<Report> {
        call!(self, request, generate_report)
    }

    async fn get_report(&self, request: Request<GetReportRequest>) -> Result<Report> {
        call!(self, request, get_report)
    }

    async fn list_reports(&self, request: Request<ListReportsRequest>) -> Result<ListReportsResponse> {
        call!(self, request, list_reports)
    }

    async fn export_report(&self, request: Request<ExportReportRequest>) -> Result<ExportReportResponse> {
        call!(self, request, export_report)
    }

    async fn import_plan(&self, request: Request<ImportPlanRequest>) -> Result<ImportPlanResponse> {
        call!(self, request, import_plan, request_id)
    }

    async fn export_plan(&self, request: Request<ExportPlanRequest>) -> Result<ExportPlanResponse> {
        call!(self, request, export_plan)
    }

    type WatchEventsStream = BoxStream<WatchEventsResponse>;

    async fn watch_events(&self, request: Request<WatchEventsRequest>) -> Result<Self::WatchEventsStream> {
        let ctx = CallContext::from_request(&request)?;
        self.plans.require_root(&ctx).await?;
        let after = request.into_inner().after_sequence;
        if after < 0 {
            return Err(ServiceError::invalid("after_sequence", "must not be negative").into());
        }
        let stream = self.plans.journal().watch(after).map(|item| {
            item.map(|event| WatchEventsResponse { event: Some(event) })
                .map_err(Status::from)
        });
        Ok(Response::new(Box::pin(stream)))
    }
}
