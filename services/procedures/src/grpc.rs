//! The tonic adapters: read the call context, call the service, map errors.

use eiso_platform::CallContext;
use eiso_platform::call;
use eiso_platform::grpc::{BoxStream, GrpcResult as Result, reply, watch};
use eiso_proto::eiso::procedures::v1::calendar_service_server::CalendarService;
use eiso_proto::eiso::procedures::v1::dossier_service_server::DossierService;
use eiso_proto::eiso::procedures::v1::procedure_service_server::ProcedureService;
use eiso_proto::eiso::procedures::v1::*;
use eiso_proto::tonic::{Request, Status};

use crate::Procedures;

/// `eiso.procedures.v1.CalendarService`.
#[derive(Clone)]
pub struct CalendarApi {
    procedures: Procedures,
}

impl CalendarApi {
    pub fn new(procedures: Procedures) -> Self {
        Self { procedures }
    }
}

#[eiso_proto::tonic::async_trait]
impl CalendarService for CalendarApi {
    async fn get_calendar(&self, request: Request<GetCalendarRequest>) -> Result<Calendar> {
        reply(self.procedures.get_calendar(request.into_inner()).await)
    }

    async fn update_calendar(&self, request: Request<UpdateCalendarRequest>) -> Result<Calendar> {
        call!(self.procedures, request, update_calendar)
    }

    async fn get_calendar_year(&self, request: Request<GetCalendarYearRequest>) -> Result<CalendarYear> {
        reply(self.procedures.get_calendar_year(request.into_inner()).await)
    }

    async fn list_calendar_years(
        &self,
        request: Request<ListCalendarYearsRequest>,
    ) -> Result<ListCalendarYearsResponse> {
        reply(self.procedures.list_calendar_years(request.into_inner()).await)
    }

    async fn update_calendar_year(&self, request: Request<UpdateCalendarYearRequest>) -> Result<CalendarYear> {
        call!(self.procedures, request, update_calendar_year)
    }

    async fn propose_calendar_year(&self, request: Request<ProposeCalendarYearRequest>) -> Result<CalendarYear> {
        call!(self.procedures, request, propose_calendar_year)
    }

    async fn compute_deadline(&self, request: Request<ComputeDeadlineRequest>) -> Result<ComputeDeadlineResponse> {
        reply(self.procedures.compute_deadline(request.into_inner()).await)
    }
}

/// `eiso.procedures.v1.ProcedureService`.
#[derive(Clone)]
pub struct ProcedureApi {
    procedures: Procedures,
}

impl ProcedureApi {
    pub fn new(procedures: Procedures) -> Self {
        Self { procedures }
    }
}

#[eiso_proto::tonic::async_trait]
impl ProcedureService for ProcedureApi {
    async fn create_procedure(&self, request: Request<CreateProcedureRequest>) -> Result<Procedure> {
        call!(self.procedures, request, create_procedure, request_id)
    }

    async fn get_procedure(&self, request: Request<GetProcedureRequest>) -> Result<Procedure> {
        reply(self.procedures.get_procedure(request.into_inner()).await)
    }

    async fn list_procedures(&self, request: Request<ListProceduresRequest>) -> Result<ListProceduresResponse> {
        reply(self.procedures.list_procedures(request.into_inner()).await)
    }

    async fn create_procedure_version(
        &self,
        request: Request<CreateProcedureVersionRequest>,
    ) -> Result<ProcedureVersion> {
        call!(self.procedures, request, create_version)
    }

    async fn update_procedure_version(
        &self,
        request: Request<UpdateProcedureVersionRequest>,
    ) -> Result<ProcedureVersion> {
        call!(self.procedures, request, update_version)
    }

    async fn publish_procedure_version(
        &self,
        request: Request<PublishProcedureVersionRequest>,
    ) -> Result<ProcedureVersion> {
        call!(self.procedures, request, publish_version)
    }

    async fn withdraw_procedure(&self, request: Request<WithdrawProcedureRequest>) -> Result<Procedure> {
        call!(self.procedures, request, withdraw_procedure)
    }

    async fn import_procedures(&self, request: Request<ImportProceduresRequest>) -> Result<ImportProceduresResponse> {
        call!(self.procedures, request, import_procedures)
    }

    async fn export_procedures(&self, request: Request<ExportProceduresRequest>) -> Result<ExportProceduresResponse> {
        reply(self.procedures.export_procedures(request.into_inner()).await)
    }

    type WatchEventsStream = BoxStream<WatchEventsResponse>;

    async fn watch_events(&self, request: Request<WatchEventsRequest>) -> Result<Self::WatchEventsStream> {
        let ctx = CallContext::from_request(&request)?;
        // The stream carries every unit's events.
        self.procedures.require_root(&ctx).await.map_err(Status::from)?;
        watch(
            self.procedures.journal(),
            request.into_inner().after_sequence,
            |event| WatchEventsResponse { event: Some(event) },
        )
    }
}

/// `eiso.procedures.v1.DossierService`.
#[derive(Clone)]
pub struct DossierApi {
    procedures: Procedures,
}

impl DossierApi {
    pub fn new(procedures: Procedures) -> Self {
        Self { procedures }
    }
}

#[eiso_proto::tonic::async_trait]
impl DossierService for DossierApi {
    async fn receive_dossier(&self, request: Request<ReceiveDossierRequest>) -> Result<Dossier> {
        call!(self.procedures, request, receive_dossier, request_id)
    }

    async fn refuse_dossier(&self, request: Request<RefuseDossierRequest>) -> Result<Dossier> {
        call!(self.procedures, request, refuse_dossier, request_id)
    }

    async fn get_dossier(&self, request: Request<GetDossierRequest>) -> Result<Dossier> {
        call!(self.procedures, request, get_dossier)
    }

    async fn list_dossiers(&self, request: Request<ListDossiersRequest>) -> Result<ListDossiersResponse> {
        call!(self.procedures, request, list_dossiers)
    }

    async fn hand_over_dossier(&self, request: Request<HandOverDossierRequest>) -> Result<Dossier> {
        call!(self.procedures, request, hand_over)
    }

    async fn request_supplement(&self, request: Request<RequestSupplementRequest>) -> Result<Dossier> {
        call!(self.procedures, request, request_supplement)
    }

    async fn receive_supplement(&self, request: Request<ReceiveSupplementRequest>) -> Result<Dossier> {
        call!(self.procedures, request, receive_supplement)
    }

    async fn extend_dossier(&self, request: Request<ExtendDossierRequest>) -> Result<Dossier> {
        call!(self.procedures, request, extend)
    }

    async fn stop_processing(&self, request: Request<StopProcessingRequest>) -> Result<Dossier> {
        call!(self.procedures, request, stop_processing)
    }

    async fn withdraw_dossier(&self, request: Request<WithdrawDossierRequest>) -> Result<Dossier> {
        call!(self.procedures, request, withdraw)
    }

    async fn complete_dossier(&self, request: Request<CompleteDossierRequest>) -> Result<Dossier> {
        call!(self.procedures, request, complete)
    }

    async fn return_result(&self, request: Request<ReturnResultRequest>) -> Result<Dossier> {
        call!(self.procedures, request, return_result)
    }

    async fn rate_dossier(&self, request: Request<RateDossierRequest>) -> Result<Dossier> {
        call!(self.procedures, request, rate)
    }

    async fn get_service_statistics(&self, request: Request<GetServiceStatisticsRequest>) -> Result<ServiceStatistics> {
        call!(self.procedures, request, service_statistics)
    }

    async fn render_form(&self, request: Request<RenderFormRequest>) -> Result<RenderFormResponse> {
        call!(self.procedures, request, render_form)
    }
}
