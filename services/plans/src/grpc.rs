//! The tonic adapter: read the call context, call the service, map errors.

use eiso_platform::CallContext;
use eiso_platform::call;
use eiso_platform::grpc::{BoxStream, GrpcResult as Result, watch};
use eiso_proto::eiso::plans::v1::plan_service_server::PlanService;
use eiso_proto::eiso::plans::v1::*;
use eiso_proto::tonic::Request;

use crate::Plans;

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
        call!(self.plans, request, create_plan, request_id)
    }

    async fn get_plan(&self, request: Request<GetPlanRequest>) -> Result<Plan> {
        call!(self.plans, request, get_plan)
    }

    async fn list_plans(&self, request: Request<ListPlansRequest>) -> Result<ListPlansResponse> {
        call!(self.plans, request, list_plans)
    }

    async fn update_plan(&self, request: Request<UpdatePlanRequest>) -> Result<Plan> {
        call!(self.plans, request, update_plan)
    }

    async fn create_task(&self, request: Request<CreateTaskRequest>) -> Result<Task> {
        call!(self.plans, request, create_task, request_id)
    }

    async fn get_task(&self, request: Request<GetTaskRequest>) -> Result<Task> {
        call!(self.plans, request, get_task)
    }

    async fn list_tasks(&self, request: Request<ListTasksRequest>) -> Result<ListTasksResponse> {
        call!(self.plans, request, list_tasks)
    }

    async fn update_task(&self, request: Request<UpdateTaskRequest>) -> Result<Task> {
        call!(self.plans, request, update_task)
    }

    async fn record_task_progress(&self, request: Request<RecordTaskProgressRequest>) -> Result<Task> {
        call!(self.plans, request, record_progress, request_id)
    }

    async fn add_task_evidence(&self, request: Request<AddTaskEvidenceRequest>) -> Result<Task> {
        call!(self.plans, request, add_evidence)
    }

    async fn remove_task_evidence(&self, request: Request<RemoveTaskEvidenceRequest>) -> Result<Task> {
        call!(self.plans, request, remove_evidence)
    }

    async fn list_tasks_by_evidence(
        &self,
        request: Request<ListTasksByEvidenceRequest>,
    ) -> Result<ListTasksByEvidenceResponse> {
        call!(self.plans, request, list_tasks_by_evidence)
    }

    async fn create_target(&self, request: Request<CreateTargetRequest>) -> Result<Target> {
        call!(self.plans, request, create_target, request_id)
    }

    async fn get_target(&self, request: Request<GetTargetRequest>) -> Result<Target> {
        call!(self.plans, request, get_target)
    }

    async fn list_targets(&self, request: Request<ListTargetsRequest>) -> Result<ListTargetsResponse> {
        call!(self.plans, request, list_targets)
    }

    async fn update_target(&self, request: Request<UpdateTargetRequest>) -> Result<Target> {
        call!(self.plans, request, update_target)
    }

    async fn evaluate_targets(&self, request: Request<EvaluateTargetsRequest>) -> Result<EvaluateTargetsResponse> {
        call!(self.plans, request, evaluate_targets)
    }

    async fn generate_report(&self, request: Request<GenerateReportRequest>) -> Result<Report> {
        call!(self.plans, request, generate_report)
    }

    async fn get_report(&self, request: Request<GetReportRequest>) -> Result<Report> {
        call!(self.plans, request, get_report)
    }

    async fn list_reports(&self, request: Request<ListReportsRequest>) -> Result<ListReportsResponse> {
        call!(self.plans, request, list_reports)
    }

    async fn export_report(&self, request: Request<ExportReportRequest>) -> Result<ExportReportResponse> {
        call!(self.plans, request, export_report)
    }

    async fn import_plan(&self, request: Request<ImportPlanRequest>) -> Result<ImportPlanResponse> {
        call!(self.plans, request, import_plan, request_id)
    }

    async fn export_plan(&self, request: Request<ExportPlanRequest>) -> Result<ExportPlanResponse> {
        call!(self.plans, request, export_plan)
    }

    type WatchEventsStream = BoxStream<WatchEventsResponse>;

    async fn watch_events(&self, request: Request<WatchEventsRequest>) -> Result<Self::WatchEventsStream> {
        let ctx = CallContext::from_request(&request)?;
        self.plans.require_root(&ctx).await?;
        watch(self.plans.journal(), request.into_inner().after_sequence, |event| {
            WatchEventsResponse { event: Some(event) }
        })
    }
}
