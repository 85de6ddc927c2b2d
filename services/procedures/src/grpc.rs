//! The tonic adapters: read the call context, call the service, map errors.

use eiso_proto::eiso::procedures::v1::calendar_service_server::CalendarService;
use eiso_proto::eiso::procedures::v1::dossier_service_server::DossierService;
use eiso_proto::eiso::procedures::v1::procedure_service_server::ProcedureService;
use eiso_proto::eiso::procedures::v1::*;

use crate::Procedures;

eiso_platform::grpc_service! {
    /// `eiso.procedures.v1.CalendarService`.
    pub struct CalendarApi(procedures: Procedures);

    impl CalendarService for CalendarApi {
        rpc get_calendar(GetCalendarRequest) -> Calendar => read get_calendar;
        rpc update_calendar(UpdateCalendarRequest) -> Calendar => call update_calendar;
        rpc get_calendar_year(GetCalendarYearRequest) -> CalendarYear => read get_calendar_year;
        rpc list_calendar_years(ListCalendarYearsRequest) -> ListCalendarYearsResponse => read list_calendar_years;
        rpc update_calendar_year(UpdateCalendarYearRequest) -> CalendarYear => call update_calendar_year;
        rpc propose_calendar_year(ProposeCalendarYearRequest) -> CalendarYear => call propose_calendar_year;
        rpc compute_deadline(ComputeDeadlineRequest) -> ComputeDeadlineResponse => read compute_deadline;
    }
}

eiso_platform::grpc_service! {
    /// `eiso.procedures.v1.ProcedureService`.
    pub struct ProcedureApi(procedures: Procedures);

    impl ProcedureService for ProcedureApi {
        rpc create_procedure(CreateProcedureRequest) -> Procedure => call create_procedure, request_id;
        rpc get_procedure(GetProcedureRequest) -> Procedure => read get_procedure;
        rpc list_procedures(ListProceduresRequest) -> ListProceduresResponse => read list_procedures;
        rpc create_procedure_version(CreateProcedureVersionRequest) -> ProcedureVersion => call create_version;
        rpc update_procedure_version(UpdateProcedureVersionRequest) -> ProcedureVersion => call update_version;
        rpc publish_procedure_version(PublishProcedureVersionRequest) -> ProcedureVersion => call publish_version;
        rpc withdraw_procedure(WithdrawProcedureRequest) -> Procedure => call withdraw_procedure;
        rpc import_procedures(ImportProceduresRequest) -> ImportProceduresResponse => call import_procedures;
        rpc export_procedures(ExportProceduresRequest) -> ExportProceduresResponse => read export_procedures;
        stream watch_events(WatchEventsRequest) -> WatchEventsResponse => events;
    }
}

eiso_platform::grpc_service! {
    /// `eiso.procedures.v1.DossierService`.
    pub struct DossierApi(procedures: Procedures);

    impl DossierService for DossierApi {
        rpc receive_dossier(ReceiveDossierRequest) -> Dossier => call receive_dossier, request_id;
        rpc refuse_dossier(RefuseDossierRequest) -> Dossier => call refuse_dossier, request_id;
        rpc get_dossier(GetDossierRequest) -> Dossier => call get_dossier;
        rpc list_dossiers(ListDossiersRequest) -> ListDossiersResponse => call list_dossiers;
        rpc hand_over_dossier(HandOverDossierRequest) -> Dossier => call hand_over;
        rpc request_supplement(RequestSupplementRequest) -> Dossier => call request_supplement;
        rpc receive_supplement(ReceiveSupplementRequest) -> Dossier => call receive_supplement;
        rpc extend_dossier(ExtendDossierRequest) -> Dossier => call extend;
        rpc stop_processing(StopProcessingRequest) -> Dossier => call stop_processing;
        rpc withdraw_dossier(WithdrawDossierRequest) -> Dossier => call withdraw;
        rpc complete_dossier(CompleteDossierRequest) -> Dossier => call complete;
        rpc return_result(ReturnResultRequest) -> Dossier => call return_result;
        rpc rate_dossier(RateDossierRequest) -> Dossier => call rate;
        rpc get_service_statistics(GetServiceStatisticsRequest) -> ServiceStatistics => call service_statistics;
        rpc render_form(RenderFormRequest) -> RenderFormResponse => call render_form;
    }
}
