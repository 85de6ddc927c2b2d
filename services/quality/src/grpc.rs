//! The tonic adapter: read the call context, call the service, map errors.

use eiso_platform::CallContext;
use eiso_platform::call;
use eiso_platform::grpc::{BoxStream, GrpcResult as Result, reply, watch};
use eiso_proto::eiso::quality::v1::quality_service_server::QualityService;
use eiso_proto::eiso::quality::v1::*;
use eiso_proto::tonic::Request;

use crate::Quality;

/// A read: needs no context beyond the gateway's check.
macro_rules! read {
    ($self:ident, $request:ident, $method:ident) => {{ reply($self.quality.$method($request.into_inner()).await) }};
}

/// `eiso.quality.v1.QualityService`.
#[derive(Clone)]
pub struct QualityApi {
    quality: Quality,
}

impl QualityApi {
    pub fn new(quality: Quality) -> Self {
        Self { quality }
    }
}

#[eiso_proto::tonic::async_trait]
impl QualityService for QualityApi {
    async fn create_inspection_programme(
        &self,
        request: Request<CreateInspectionProgrammeRequest>,
    ) -> Result<InspectionProgramme> {
        call!(self.quality, request, create_inspection_programme, request_id)
    }

    async fn get_inspection_programme(
        &self,
        request: Request<GetInspectionProgrammeRequest>,
    ) -> Result<InspectionProgramme> {
        call!(self.quality, request, get_inspection_programme)
    }

    async fn list_inspection_programmes(
        &self,
        request: Request<ListInspectionProgrammesRequest>,
    ) -> Result<ListInspectionProgrammesResponse> {
        call!(self.quality, request, list_inspection_programmes)
    }

    async fn update_inspection_programme(
        &self,
        request: Request<UpdateInspectionProgrammeRequest>,
    ) -> Result<InspectionProgramme> {
        call!(self.quality, request, update_inspection_programme)
    }

    async fn create_inspection(&self, request: Request<CreateInspectionRequest>) -> Result<Inspection> {
        call!(self.quality, request, create_inspection, request_id)
    }

    async fn get_inspection(&self, request: Request<GetInspectionRequest>) -> Result<Inspection> {
        call!(self.quality, request, get_inspection)
    }

    async fn list_inspections(&self, request: Request<ListInspectionsRequest>) -> Result<ListInspectionsResponse> {
        call!(self.quality, request, list_inspections)
    }

    async fn complete_inspection(&self, request: Request<CompleteInspectionRequest>) -> Result<Inspection> {
        call!(self.quality, request, complete_inspection)
    }

    async fn cancel_inspection(&self, request: Request<CancelInspectionRequest>) -> Result<Inspection> {
        call!(self.quality, request, cancel_inspection)
    }

    async fn get_inspection_coverage(
        &self,
        request: Request<GetInspectionCoverageRequest>,
    ) -> Result<InspectionCoverage> {
        call!(self.quality, request, get_inspection_coverage)
    }

    async fn create_audit_programme(&self, request: Request<CreateAuditProgrammeRequest>) -> Result<AuditProgramme> {
        call!(self.quality, request, create_audit_programme, request_id)
    }

    async fn get_audit_programme(&self, request: Request<GetAuditProgrammeRequest>) -> Result<AuditProgramme> {
        call!(self.quality, request, get_audit_programme)
    }

    async fn list_audit_programmes(
        &self,
        request: Request<ListAuditProgrammesRequest>,
    ) -> Result<ListAuditProgrammesResponse> {
        call!(self.quality, request, list_audit_programmes)
    }

    async fn create_audit(&self, request: Request<CreateAuditRequest>) -> Result<Audit> {
        call!(self.quality, request, create_audit, request_id)
    }

    async fn get_audit(&self, request: Request<GetAuditRequest>) -> Result<Audit> {
        call!(self.quality, request, get_audit)
    }

    async fn list_audits(&self, request: Request<ListAuditsRequest>) -> Result<ListAuditsResponse> {
        call!(self.quality, request, list_audits)
    }

    async fn update_audit(&self, request: Request<UpdateAuditRequest>) -> Result<Audit> {
        call!(self.quality, request, update_audit)
    }

    async fn start_audit(&self, request: Request<StartAuditRequest>) -> Result<Audit> {
        call!(self.quality, request, start_audit)
    }

    async fn complete_audit(&self, request: Request<CompleteAuditRequest>) -> Result<Audit> {
        call!(self.quality, request, complete_audit)
    }

    async fn create_finding(&self, request: Request<CreateFindingRequest>) -> Result<Finding> {
        call!(self.quality, request, create_finding, request_id)
    }

    async fn get_finding(&self, request: Request<GetFindingRequest>) -> Result<Finding> {
        call!(self.quality, request, get_finding)
    }

    async fn list_findings(&self, request: Request<ListFindingsRequest>) -> Result<ListFindingsResponse> {
        call!(self.quality, request, list_findings)
    }

    async fn update_finding(&self, request: Request<UpdateFindingRequest>) -> Result<Finding> {
        call!(self.quality, request, update_finding)
    }

    async fn create_corrective_action(
        &self,
        request: Request<CreateCorrectiveActionRequest>,
    ) -> Result<CorrectiveAction> {
        call!(self.quality, request, create_corrective_action, request_id)
    }

    async fn get_corrective_action(&self, request: Request<GetCorrectiveActionRequest>) -> Result<CorrectiveAction> {
        call!(self.quality, request, get_corrective_action)
    }

    async fn list_corrective_actions(
        &self,
        request: Request<ListCorrectiveActionsRequest>,
    ) -> Result<ListCorrectiveActionsResponse> {
        call!(self.quality, request, list_corrective_actions)
    }

    async fn list_overdue_corrective_actions(
        &self,
        request: Request<ListOverdueCorrectiveActionsRequest>,
    ) -> Result<ListOverdueCorrectiveActionsResponse> {
        call!(self.quality, request, list_overdue_corrective_actions)
    }

    async fn plan_corrective_action(&self, request: Request<PlanCorrectiveActionRequest>) -> Result<CorrectiveAction> {
        call!(self.quality, request, plan_corrective_action)
    }

    async fn implement_corrective_action(
        &self,
        request: Request<ImplementCorrectiveActionRequest>,
    ) -> Result<CorrectiveAction> {
        call!(self.quality, request, implement_corrective_action)
    }

    async fn verify_corrective_action(
        &self,
        request: Request<VerifyCorrectiveActionRequest>,
    ) -> Result<CorrectiveAction> {
        call!(self.quality, request, verify_corrective_action)
    }

    async fn close_corrective_action(
        &self,
        request: Request<CloseCorrectiveActionRequest>,
    ) -> Result<CorrectiveAction> {
        call!(self.quality, request, close_corrective_action)
    }

    async fn generate_management_review_pack(
        &self,
        request: Request<GenerateManagementReviewPackRequest>,
    ) -> Result<ManagementReview> {
        call!(self.quality, request, generate_management_review_pack, request_id)
    }

    async fn get_management_review(&self, request: Request<GetManagementReviewRequest>) -> Result<ManagementReview> {
        call!(self.quality, request, get_management_review)
    }

    async fn list_management_reviews(
        &self,
        request: Request<ListManagementReviewsRequest>,
    ) -> Result<ListManagementReviewsResponse> {
        call!(self.quality, request, list_management_reviews)
    }

    async fn create_indicator(&self, request: Request<CreateIndicatorRequest>) -> Result<Indicator> {
        call!(self.quality, request, create_indicator)
    }

    async fn list_indicators(&self, request: Request<ListIndicatorsRequest>) -> Result<ListIndicatorsResponse> {
        read!(self, request, list_indicators)
    }

    async fn update_indicator(&self, request: Request<UpdateIndicatorRequest>) -> Result<Indicator> {
        call!(self.quality, request, update_indicator)
    }

    async fn create_diagnostic(&self, request: Request<CreateDiagnosticRequest>) -> Result<Diagnostic> {
        call!(self.quality, request, create_diagnostic, request_id)
    }

    async fn get_diagnostic(&self, request: Request<GetDiagnosticRequest>) -> Result<Diagnostic> {
        call!(self.quality, request, get_diagnostic)
    }

    async fn list_diagnostics(&self, request: Request<ListDiagnosticsRequest>) -> Result<ListDiagnosticsResponse> {
        call!(self.quality, request, list_diagnostics)
    }

    async fn assess_indicator(&self, request: Request<AssessIndicatorRequest>) -> Result<Assessment> {
        call!(self.quality, request, assess_indicator)
    }

    async fn compare_periods(&self, request: Request<ComparePeriodsRequest>) -> Result<ComparePeriodsResponse> {
        call!(self.quality, request, compare_periods)
    }

    type WatchEventsStream = BoxStream<WatchEventsResponse>;

    async fn watch_events(&self, request: Request<WatchEventsRequest>) -> Result<Self::WatchEventsStream> {
        let ctx = CallContext::from_request(&request)?;
        self.quality.require_root(&ctx).await?;
        watch(self.quality.journal(), request.into_inner().after_sequence, |event| {
            WatchEventsResponse { event: Some(event) }
        })
    }
}
