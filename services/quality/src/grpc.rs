//! The tonic adapter: read the call context, call the service, map errors.

use eiso_proto::eiso::quality::v1::quality_service_server::QualityService;
use eiso_proto::eiso::quality::v1::*;

use crate::Quality;

eiso_platform::grpc_service! {
    /// `eiso.quality.v1.QualityService`.
    pub struct QualityApi(quality: Quality);

    impl QualityService for QualityApi {
        rpc create_inspection_programme(CreateInspectionProgrammeRequest) -> InspectionProgramme
            => call create_inspection_programme, request_id;
        rpc get_inspection_programme(GetInspectionProgrammeRequest) -> InspectionProgramme
            => call get_inspection_programme;
        rpc list_inspection_programmes(ListInspectionProgrammesRequest) -> ListInspectionProgrammesResponse
            => call list_inspection_programmes;
        rpc update_inspection_programme(UpdateInspectionProgrammeRequest) -> InspectionProgramme
            => call update_inspection_programme;

        rpc create_inspection(CreateInspectionRequest) -> Inspection => call create_inspection, request_id;
        rpc get_inspection(GetInspectionRequest) -> Inspection => call get_inspection;
        rpc list_inspections(ListInspectionsRequest) -> ListInspectionsResponse => call list_inspections;
        rpc complete_inspection(CompleteInspectionRequest) -> Inspection => call complete_inspection;
        rpc cancel_inspection(CancelInspectionRequest) -> Inspection => call cancel_inspection;
        rpc get_inspection_coverage(GetInspectionCoverageRequest) -> InspectionCoverage => call get_inspection_coverage;

        rpc create_audit_programme(CreateAuditProgrammeRequest) -> AuditProgramme
            => call create_audit_programme, request_id;
        rpc get_audit_programme(GetAuditProgrammeRequest) -> AuditProgramme => call get_audit_programme;
        rpc list_audit_programmes(ListAuditProgrammesRequest) -> ListAuditProgrammesResponse
            => call list_audit_programmes;

        rpc create_audit(CreateAuditRequest) -> Audit => call create_audit, request_id;
        rpc get_audit(GetAuditRequest) -> Audit => call get_audit;
        rpc list_audits(ListAuditsRequest) -> ListAuditsResponse => call list_audits;
        rpc update_audit(UpdateAuditRequest) -> Audit => call update_audit;
        rpc start_audit(StartAuditRequest) -> Audit => call start_audit;
        rpc complete_audit(CompleteAuditRequest) -> Audit => call complete_audit;

        rpc create_finding(CreateFindingRequest) -> Finding => call create_finding, request_id;
        rpc get_finding(GetFindingRequest) -> Finding => call get_finding;
        rpc list_findings(ListFindingsRequest) -> ListFindingsResponse => call list_findings;
        rpc update_finding(UpdateFindingRequest) -> Finding => call update_finding;

        rpc create_corrective_action(CreateCorrectiveActionRequest) -> CorrectiveAction
            => call create_corrective_action, request_id;
        rpc get_corrective_action(GetCorrectiveActionRequest) -> CorrectiveAction => call get_corrective_action;
        rpc list_corrective_actions(ListCorrectiveActionsRequest) -> ListCorrectiveActionsResponse
            => call list_corrective_actions;
        rpc list_overdue_corrective_actions(ListOverdueCorrectiveActionsRequest) -> ListOverdueCorrectiveActionsResponse
            => call list_overdue_corrective_actions;
        rpc plan_corrective_action(PlanCorrectiveActionRequest) -> CorrectiveAction => call plan_corrective_action;
        rpc implement_corrective_action(ImplementCorrectiveActionRequest) -> CorrectiveAction
            => call implement_corrective_action;
        rpc verify_corrective_action(VerifyCorrectiveActionRequest) -> CorrectiveAction
            => call verify_corrective_action;
        rpc close_corrective_action(CloseCorrectiveActionRequest) -> CorrectiveAction => call close_corrective_action;

        rpc generate_management_review_pack(GenerateManagementReviewPackRequest) -> ManagementReview
            => call generate_management_review_pack, request_id;
        rpc get_management_review(GetManagementReviewRequest) -> ManagementReview => call get_management_review;
        rpc list_management_reviews(ListManagementReviewsRequest) -> ListManagementReviewsResponse
            => call list_management_reviews;

        rpc create_indicator(CreateIndicatorRequest) -> Indicator => call create_indicator;
        rpc list_indicators(ListIndicatorsRequest) -> ListIndicatorsResponse => read list_indicators;
        rpc update_indicator(UpdateIndicatorRequest) -> Indicator => call update_indicator;

        rpc create_diagnostic(CreateDiagnosticRequest) -> Diagnostic => call create_diagnostic, request_id;
        rpc get_diagnostic(GetDiagnosticRequest) -> Diagnostic => call get_diagnostic;
        rpc list_diagnostics(ListDiagnosticsRequest) -> ListDiagnosticsResponse => call list_diagnostics;
        rpc assess_indicator(AssessIndicatorRequest) -> Assessment => call assess_indicator;
        rpc compare_periods(ComparePeriodsRequest) -> ComparePeriodsResponse => call compare_periods;
        stream watch_events(WatchEventsRequest) -> WatchEventsResponse => events;
    }
}
