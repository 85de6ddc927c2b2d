//! The tonic adapter: read the call context, call the service, map errors.

use eiso_proto::eiso::plans::v1::plan_service_server::PlanService;
use eiso_proto::eiso::plans::v1::*;

use crate::Plans;

eiso_platform::grpc_service! {
    /// `eiso.plans.v1.PlanService`.
    pub struct PlanApi(plans: Plans);

    impl PlanService for PlanApi {
        rpc create_plan(CreatePlanRequest) -> Plan => call create_plan, request_id;
        rpc get_plan(GetPlanRequest) -> Plan => call get_plan;
        rpc list_plans(ListPlansRequest) -> ListPlansResponse => call list_plans;
        rpc update_plan(UpdatePlanRequest) -> Plan => call update_plan;

        rpc create_task(CreateTaskRequest) -> Task => call create_task, request_id;
        rpc get_task(GetTaskRequest) -> Task => call get_task;
        rpc list_tasks(ListTasksRequest) -> ListTasksResponse => call list_tasks;
        rpc update_task(UpdateTaskRequest) -> Task => call update_task;
        rpc record_task_progress(RecordTaskProgressRequest) -> Task => call record_progress, request_id;
        rpc add_task_evidence(AddTaskEvidenceRequest) -> Task => call add_evidence;
        rpc remove_task_evidence(RemoveTaskEvidenceRequest) -> Task => call remove_evidence;
        rpc list_tasks_by_evidence(ListTasksByEvidenceRequest) -> ListTasksByEvidenceResponse
            => call list_tasks_by_evidence;

        rpc create_target(CreateTargetRequest) -> Target => call create_target, request_id;
        rpc get_target(GetTargetRequest) -> Target => call get_target;
        rpc list_targets(ListTargetsRequest) -> ListTargetsResponse => call list_targets;
        rpc update_target(UpdateTargetRequest) -> Target => call update_target;
        rpc evaluate_targets(EvaluateTargetsRequest) -> EvaluateTargetsResponse => call evaluate_targets;

        rpc generate_report(GenerateReportRequest) -> Report => call generate_report;

        rpc reissue_report(ReissueReportRequest) -> Report => call reissue_report;
        rpc get_report(GetReportRequest) -> Report => call get_report;
        rpc list_reports(ListReportsRequest) -> ListReportsResponse => call list_reports;
        rpc export_report(ExportReportRequest) -> ExportReportResponse => call export_report;

        rpc import_plan(ImportPlanRequest) -> ImportPlanResponse => call import_plan, request_id;
        rpc export_plan(ExportPlanRequest) -> ExportPlanResponse => call export_plan;
        stream watch_events(WatchEventsRequest) -> WatchEventsResponse => events;
    }
}
