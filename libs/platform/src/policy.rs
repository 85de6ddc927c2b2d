//! The one table of who may call what. Every gRPC method the server offers
//! has a row; a method without a row is refused. A test walks every method of
//! the API (from the descriptor set) against every role.

use eiso_proto::eiso::identity::v1::Role;

/// Who may call a method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No token needed (sign-in, health, reflection).
    Public,
    /// Any signed-in principal; the service may check more (e.g. "own password").
    Authenticated,
    /// A principal holding one of these roles.
    Roles(&'static [Role]),
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// `/package.Service/Method`.
    pub method: &'static str,
    pub access: Access,
    /// Whether the outcome of every call goes into the audit trail (changes,
    /// and sign-ins).
    pub audited: bool,
}

use Access::{Authenticated, Public, Roles};
use Role::{Admin, CounterStaff, DocumentController, InternalAuditor, Leader, ProcessingOfficer, Viewer};

const ADMIN: Access = Roles(&[Admin]);
/// Who drafts controlled documents.
const AUTHORS: Access = Roles(&[DocumentController, ProcessingOfficer, Leader]);
/// Who may be named to review a revision.
const REVIEWERS: Access = Roles(&[DocumentController, ProcessingOfficer, Leader, InternalAuditor]);
/// Who keeps records and attaches files (to drafts and open records).
const RECORD_KEEPERS: Access = Roles(&[DocumentController, ProcessingOfficer, Leader, CounterStaff]);
const CONTROLLER: Access = Roles(&[DocumentController]);
/// Who maintains the procedures catalogue.
const CATALOGUE_EDITORS: Access = Roles(&[Admin, DocumentController, Leader]);
/// The one-stop counter.
const COUNTER: Access = Roles(&[CounterStaff]);
/// Everyone who works dossiers.
const PROCESSING: Access = Roles(&[CounterStaff, ProcessingOfficer, Leader]);
const OVERSIGHT: Access = Roles(&[Admin, InternalAuditor, Leader]);
/// Who reads the quality system's records (quality, issue 6): the office
/// roles, not the counter.
const QUALITY_READERS: Access = Roles(&[
    Admin,
    DocumentController,
    ProcessingOfficer,
    Leader,
    InternalAuditor,
    Viewer,
]);
/// Who writes reform plans, their tasks, targets and reports.
const PLAN_WRITERS: Access = Roles(&[Leader, DocumentController, Admin]);
/// Who records a plan task's progress and evidence: the writers and the officers doing the tasks.
const PLAN_WORKERS: Access = Roles(&[Leader, DocumentController, Admin, ProcessingOfficer]);

const fn read(method: &'static str, access: Access) -> Rule {
    Rule {
        method,
        access,
        audited: false,
    }
}

const fn write(method: &'static str, access: Access) -> Rule {
    Rule {
        method,
        access,
        audited: true,
    }
}

/// The authorisation table.
pub const POLICY: &[Rule] = &[
    // Infrastructure: stock tools must work without a token.
    read("/grpc.health.v1.Health/Check", Public),
    read("/grpc.health.v1.Health/Watch", Public),
    read("/grpc.health.v1.Health/List", Public),
    read("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", Public),
    read("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", Public),
    // Identity.
    // Sign-in records every outcome itself, with the name that was tried.
    read("/eiso.identity.v1.IdentityService/Login", Public),
    read("/eiso.identity.v1.IdentityService/WhoAmI", Authenticated),
    write("/eiso.identity.v1.IdentityService/CreateUnit", ADMIN),
    read("/eiso.identity.v1.IdentityService/GetUnit", Authenticated),
    read("/eiso.identity.v1.IdentityService/ListUnits", Authenticated),
    write("/eiso.identity.v1.IdentityService/UpdateUnit", ADMIN),
    write("/eiso.identity.v1.IdentityService/RenameUnit", ADMIN),
    write("/eiso.identity.v1.IdentityService/MergeUnits", ADMIN),
    write("/eiso.identity.v1.IdentityService/DissolveUnit", ADMIN),
    write("/eiso.identity.v1.IdentityService/CreateUser", ADMIN),
    // The staff directory: reviewers, assignees and auditees are picked from it.
    read("/eiso.identity.v1.IdentityService/GetUser", Authenticated),
    read("/eiso.identity.v1.IdentityService/ListUsers", Authenticated),
    write("/eiso.identity.v1.IdentityService/UpdateUser", ADMIN),
    // Own password with the current one; anyone's for an administrator.
    write("/eiso.identity.v1.IdentityService/SetUserPassword", Authenticated),
    write("/eiso.identity.v1.IdentityService/CreateApiClient", ADMIN),
    read("/eiso.identity.v1.IdentityService/GetApiClient", ADMIN),
    read("/eiso.identity.v1.IdentityService/ListApiClients", ADMIN),
    write("/eiso.identity.v1.IdentityService/RevokeApiClient", ADMIN),
    read(
        "/eiso.identity.v1.IdentityService/WatchEvents",
        Roles(&[Admin, InternalAuditor]),
    ),
    // Document control. Authors draft; named reviewers decide (the service
    // checks the caller is one); the document controller publishes, withdraws
    // and forces check-ins. Reading is open to every signed-in user, within
    // each document's confidentiality (checked by the service).
    write("/eiso.documents.v1.DocumentService/CreateDocument", AUTHORS),
    read("/eiso.documents.v1.DocumentService/GetDocument", Authenticated),
    read("/eiso.documents.v1.DocumentService/ListDocuments", Authenticated),
    write("/eiso.documents.v1.DocumentService/UpdateDocument", AUTHORS),
    write("/eiso.documents.v1.DocumentService/ObsoleteDocument", CONTROLLER),
    read(
        "/eiso.documents.v1.DocumentService/ListReviewDueDocuments",
        Roles(&[DocumentController, Leader, InternalAuditor]),
    ),
    write(
        "/eiso.documents.v1.DocumentService/RecordPeriodicReview",
        Roles(&[DocumentController, Leader]),
    ),
    write("/eiso.documents.v1.DocumentService/CreateRevision", AUTHORS),
    read("/eiso.documents.v1.DocumentService/GetRevision", Authenticated),
    read("/eiso.documents.v1.DocumentService/ListRevisions", Authenticated),
    write("/eiso.documents.v1.DocumentService/UpdateRevision", AUTHORS),
    write("/eiso.documents.v1.DocumentService/CheckOutRevision", AUTHORS),
    write("/eiso.documents.v1.DocumentService/CheckInRevision", AUTHORS),
    write("/eiso.documents.v1.DocumentService/UploadFile", RECORD_KEEPERS),
    write("/eiso.documents.v1.DocumentService/DeleteFile", RECORD_KEEPERS),
    read("/eiso.documents.v1.DocumentService/DownloadFile", Authenticated),
    write("/eiso.documents.v1.DocumentService/SubmitRevision", AUTHORS),
    write("/eiso.documents.v1.DocumentService/ApproveRevision", REVIEWERS),
    write("/eiso.documents.v1.DocumentService/RejectRevision", REVIEWERS),
    write("/eiso.documents.v1.DocumentService/PublishRevision", CONTROLLER),
    write("/eiso.documents.v1.DocumentService/AcknowledgeRevision", Authenticated),
    read(
        "/eiso.documents.v1.DocumentService/ListAcknowledgements",
        Roles(&[DocumentController, Leader, InternalAuditor]),
    ),
    write("/eiso.documents.v1.DocumentService/CreateRecord", RECORD_KEEPERS),
    read("/eiso.documents.v1.DocumentService/GetRecord", Authenticated),
    read("/eiso.documents.v1.DocumentService/ListRecords", Authenticated),
    write("/eiso.documents.v1.DocumentService/CloseRecord", RECORD_KEEPERS),
    write("/eiso.documents.v1.DocumentService/ReviseRecord", RECORD_KEEPERS),
    read(
        "/eiso.documents.v1.DocumentService/ListRecordsDueForDisposition",
        Roles(&[DocumentController, Leader, InternalAuditor]),
    ),
    write("/eiso.documents.v1.DocumentService/DisposeRecord", CONTROLLER),
    // The register of issued documents: numbers are taken by those who
    // issue the unit's documents (the plans' reports, the review packs).
    write(
        "/eiso.documents.v1.DocumentService/AllocateIssueNumber",
        Roles(&[Leader, DocumentController, Admin]),
    ),
    read(
        "/eiso.documents.v1.DocumentService/WatchEvents",
        Roles(&[Admin, InternalAuditor]),
    ),
    // Office calendars: everyone reads and computes deadlines; administrators
    // confirm the years.
    read("/eiso.procedures.v1.CalendarService/GetCalendar", Authenticated),
    write("/eiso.procedures.v1.CalendarService/UpdateCalendar", ADMIN),
    read("/eiso.procedures.v1.CalendarService/GetCalendarYear", Authenticated),
    read("/eiso.procedures.v1.CalendarService/ListCalendarYears", Authenticated),
    write("/eiso.procedures.v1.CalendarService/UpdateCalendarYear", ADMIN),
    read("/eiso.procedures.v1.CalendarService/ProposeCalendarYear", ADMIN),
    read("/eiso.procedures.v1.CalendarService/ComputeDeadline", Authenticated),
    // The procedures catalogue.
    write(
        "/eiso.procedures.v1.ProcedureService/CreateProcedure",
        CATALOGUE_EDITORS,
    ),
    read("/eiso.procedures.v1.ProcedureService/GetProcedure", Authenticated),
    read("/eiso.procedures.v1.ProcedureService/ListProcedures", Authenticated),
    write(
        "/eiso.procedures.v1.ProcedureService/CreateProcedureVersion",
        CATALOGUE_EDITORS,
    ),
    write(
        "/eiso.procedures.v1.ProcedureService/UpdateProcedureVersion",
        CATALOGUE_EDITORS,
    ),
    write(
        "/eiso.procedures.v1.ProcedureService/PublishProcedureVersion",
        CATALOGUE_EDITORS,
    ),
    write(
        "/eiso.procedures.v1.ProcedureService/WithdrawProcedure",
        CATALOGUE_EDITORS,
    ),
    write(
        "/eiso.procedures.v1.ProcedureService/ImportProcedures",
        CATALOGUE_EDITORS,
    ),
    read("/eiso.procedures.v1.ProcedureService/ExportProcedures", Authenticated),
    read(
        "/eiso.procedures.v1.ProcedureService/WatchEvents",
        Roles(&[Admin, InternalAuditor]),
    ),
    // Dossiers: the counter receives and returns, officers process, leaders
    // decide; reading is open, personal data is shown by role (the service).
    write("/eiso.procedures.v1.DossierService/ReceiveDossier", COUNTER),
    write("/eiso.procedures.v1.DossierService/RefuseDossier", COUNTER),
    read("/eiso.procedures.v1.DossierService/GetDossier", Authenticated),
    read("/eiso.procedures.v1.DossierService/ListDossiers", Authenticated),
    write("/eiso.procedures.v1.DossierService/HandOverDossier", PROCESSING),
    write("/eiso.procedures.v1.DossierService/RequestSupplement", PROCESSING),
    write("/eiso.procedures.v1.DossierService/ReceiveSupplement", COUNTER),
    write(
        "/eiso.procedures.v1.DossierService/ExtendDossier",
        Roles(&[ProcessingOfficer, Leader]),
    ),
    write("/eiso.procedures.v1.DossierService/StopProcessing", Roles(&[Leader])),
    write("/eiso.procedures.v1.DossierService/WithdrawDossier", COUNTER),
    write(
        "/eiso.procedures.v1.DossierService/CompleteDossier",
        Roles(&[ProcessingOfficer, Leader]),
    ),
    write("/eiso.procedures.v1.DossierService/ReturnResult", COUNTER),
    write("/eiso.procedures.v1.DossierService/RateDossier", COUNTER),
    read("/eiso.procedures.v1.DossierService/GetServiceStatistics", Authenticated),
    read("/eiso.procedures.v1.DossierService/RenderForm", PROCESSING),
    // Reform plans (issue 6). Leaders, the document controller and
    // administrators write plans, tasks, targets and reports; the officers
    // who carry out tasks also record progress and link evidence; every
    // office role, auditors included, reads.
    write("/eiso.plans.v1.PlanService/CreatePlan", PLAN_WRITERS),
    read("/eiso.plans.v1.PlanService/GetPlan", Authenticated),
    read("/eiso.plans.v1.PlanService/ListPlans", Authenticated),
    write("/eiso.plans.v1.PlanService/UpdatePlan", PLAN_WRITERS),
    write("/eiso.plans.v1.PlanService/CreateTask", PLAN_WRITERS),
    read("/eiso.plans.v1.PlanService/GetTask", Authenticated),
    read("/eiso.plans.v1.PlanService/ListTasks", Authenticated),
    write("/eiso.plans.v1.PlanService/UpdateTask", PLAN_WRITERS),
    write("/eiso.plans.v1.PlanService/RecordTaskProgress", PLAN_WORKERS),
    write("/eiso.plans.v1.PlanService/AddTaskEvidence", PLAN_WORKERS),
    write("/eiso.plans.v1.PlanService/RemoveTaskEvidence", PLAN_WORKERS),
    read("/eiso.plans.v1.PlanService/ListTasksByEvidence", Authenticated),
    write("/eiso.plans.v1.PlanService/CreateTarget", PLAN_WRITERS),
    read("/eiso.plans.v1.PlanService/GetTarget", Authenticated),
    read("/eiso.plans.v1.PlanService/ListTargets", Authenticated),
    write("/eiso.plans.v1.PlanService/UpdateTarget", PLAN_WRITERS),
    read("/eiso.plans.v1.PlanService/EvaluateTargets", Authenticated),
    write("/eiso.plans.v1.PlanService/GenerateReport", PLAN_WRITERS),
    write("/eiso.plans.v1.PlanService/ReissueReport", PLAN_WRITERS),
    read("/eiso.plans.v1.PlanService/GetReport", Authenticated),
    read("/eiso.plans.v1.PlanService/ListReports", Authenticated),
    read("/eiso.plans.v1.PlanService/ExportReport", Authenticated),
    write("/eiso.plans.v1.PlanService/ImportPlan", PLAN_WRITERS),
    read("/eiso.plans.v1.PlanService/ExportPlan", Authenticated),
    read(
        "/eiso.plans.v1.PlanService/WatchEvents",
        Roles(&[Admin, InternalAuditor]),
    ),
    // Quality (issue 6). Leaders and the document controller plan
    // inspection and audit programmes, diagnostics and management reviews;
    // internal auditors run audits and record findings (the service checks
    // the caller is one of the audit's auditors); the owners of corrective
    // actions (officers, leaders) plan and implement them, and someone other
    // than an owner verifies them (checked by the service); the office roles
    // read.
    write(
        "/eiso.quality.v1.QualityService/CreateInspectionProgramme",
        Roles(&[Leader, DocumentController]),
    ),
    read(
        "/eiso.quality.v1.QualityService/GetInspectionProgramme",
        QUALITY_READERS,
    ),
    read(
        "/eiso.quality.v1.QualityService/ListInspectionProgrammes",
        QUALITY_READERS,
    ),
    write(
        "/eiso.quality.v1.QualityService/UpdateInspectionProgramme",
        Roles(&[Leader, DocumentController]),
    ),
    write(
        "/eiso.quality.v1.QualityService/CreateInspection",
        Roles(&[Leader, DocumentController]),
    ),
    read("/eiso.quality.v1.QualityService/GetInspection", QUALITY_READERS),
    read("/eiso.quality.v1.QualityService/ListInspections", QUALITY_READERS),
    write(
        "/eiso.quality.v1.QualityService/CompleteInspection",
        Roles(&[Leader, DocumentController, ProcessingOfficer, InternalAuditor]),
    ),
    write(
        "/eiso.quality.v1.QualityService/CancelInspection",
        Roles(&[Leader, DocumentController]),
    ),
    read("/eiso.quality.v1.QualityService/GetInspectionCoverage", QUALITY_READERS),
    write(
        "/eiso.quality.v1.QualityService/CreateAuditProgramme",
        Roles(&[Leader, DocumentController]),
    ),
    read("/eiso.quality.v1.QualityService/GetAuditProgramme", QUALITY_READERS),
    read("/eiso.quality.v1.QualityService/ListAuditProgrammes", QUALITY_READERS),
    write(
        "/eiso.quality.v1.QualityService/CreateAudit",
        Roles(&[Leader, DocumentController, InternalAuditor]),
    ),
    read("/eiso.quality.v1.QualityService/GetAudit", QUALITY_READERS),
    read("/eiso.quality.v1.QualityService/ListAudits", QUALITY_READERS),
    write(
        "/eiso.quality.v1.QualityService/UpdateAudit",
        Roles(&[Leader, DocumentController, InternalAuditor]),
    ),
    write("/eiso.quality.v1.QualityService/StartAudit", Roles(&[InternalAuditor])),
    write(
        "/eiso.quality.v1.QualityService/CompleteAudit",
        Roles(&[InternalAuditor]),
    ),
    write(
        "/eiso.quality.v1.QualityService/CreateFinding",
        Roles(&[InternalAuditor]),
    ),
    read("/eiso.quality.v1.QualityService/GetFinding", QUALITY_READERS),
    read("/eiso.quality.v1.QualityService/ListFindings", QUALITY_READERS),
    write(
        "/eiso.quality.v1.QualityService/UpdateFinding",
        Roles(&[InternalAuditor]),
    ),
    write(
        "/eiso.quality.v1.QualityService/CreateCorrectiveAction",
        Roles(&[InternalAuditor, Leader, DocumentController]),
    ),
    read("/eiso.quality.v1.QualityService/GetCorrectiveAction", QUALITY_READERS),
    read("/eiso.quality.v1.QualityService/ListCorrectiveActions", QUALITY_READERS),
    read(
        "/eiso.quality.v1.QualityService/ListOverdueCorrectiveActions",
        QUALITY_READERS,
    ),
    write(
        "/eiso.quality.v1.QualityService/PlanCorrectiveAction",
        Roles(&[ProcessingOfficer, Leader, DocumentController]),
    ),
    write(
        "/eiso.quality.v1.QualityService/ImplementCorrectiveAction",
        Roles(&[ProcessingOfficer, Leader]),
    ),
    write(
        "/eiso.quality.v1.QualityService/VerifyCorrectiveAction",
        Roles(&[InternalAuditor, Leader, DocumentController]),
    ),
    write(
        "/eiso.quality.v1.QualityService/CloseCorrectiveAction",
        Roles(&[InternalAuditor, Leader, DocumentController]),
    ),
    write(
        "/eiso.quality.v1.QualityService/GenerateManagementReviewPack",
        Roles(&[Leader, DocumentController]),
    ),
    read("/eiso.quality.v1.QualityService/GetManagementReview", QUALITY_READERS),
    read("/eiso.quality.v1.QualityService/ListManagementReviews", QUALITY_READERS),
    write(
        "/eiso.quality.v1.QualityService/CreateIndicator",
        Roles(&[Admin, DocumentController]),
    ),
    read("/eiso.quality.v1.QualityService/ListIndicators", QUALITY_READERS),
    write(
        "/eiso.quality.v1.QualityService/UpdateIndicator",
        Roles(&[Admin, DocumentController]),
    ),
    write(
        "/eiso.quality.v1.QualityService/CreateDiagnostic",
        Roles(&[Leader, DocumentController]),
    ),
    read("/eiso.quality.v1.QualityService/GetDiagnostic", QUALITY_READERS),
    read("/eiso.quality.v1.QualityService/ListDiagnostics", QUALITY_READERS),
    write(
        "/eiso.quality.v1.QualityService/AssessIndicator",
        Roles(&[Leader, DocumentController, InternalAuditor]),
    ),
    read("/eiso.quality.v1.QualityService/ComparePeriods", QUALITY_READERS),
    read(
        "/eiso.quality.v1.QualityService/WatchEvents",
        Roles(&[Admin, InternalAuditor]),
    ),
    // Audit trails.
    read("/eiso.audit.v1.AuditService/ListAuditEntries", OVERSIGHT),
    read("/eiso.audit.v1.AuditService/VerifyAuditTrail", OVERSIGHT),
    read("/eiso.audit.v1.AuditService/ListAuditTrails", OVERSIGHT),
    // How far each event stream goes: for those who may follow the streams.
    read(
        "/eiso.event.v1.EventService/GetEventStream",
        Roles(&[Admin, InternalAuditor]),
    ),
    // Search: everyone searches (results are filtered by what each caller
    // may see); the index's state is for those who answer for it.
    // The national portal's sync: its state is the office's to watch (the
    // administrators and leaders), a parked dossier an administrator's to
    // send again; the whole picture is a root-level reader's.
    read("/eiso.sync.v1.SyncService/GetDossierSync", Roles(&[Admin, Leader])),
    read("/eiso.sync.v1.SyncService/ListDossierSyncs", Roles(&[Admin, Leader])),
    write("/eiso.sync.v1.SyncService/ResendDossierSync", ADMIN),
    read("/eiso.sync.v1.SyncService/GetSyncStatus", Roles(&[Admin, Leader])),
    read("/eiso.sync.v1.SyncService/CountSyncedDossiers", Roles(&[Admin, Leader])),
    // The applicants' notifications: the office watches them as it watches
    // the sync; an administrator sends parked ones again.
    read(
        "/eiso.notify.v1.NotificationService/ListNotifications",
        Roles(&[Admin, Leader]),
    ),
    write("/eiso.notify.v1.NotificationService/ResendNotifications", ADMIN),
    read("/eiso.search.v1.SearchService/Search", Authenticated),
    read("/eiso.search.v1.SearchService/GetIndexStatus", OVERSIGHT),
    write("/eiso.search.v1.SearchService/RebuildIndex", ADMIN),
];

/// The row of `method`, if it has one.
pub fn rule(method: &str) -> Option<&'static Rule> {
    POLICY.iter().find(|rule| rule.method == method)
}

/// Whether a principal holding `roles` may call `method` (false for methods
/// missing from the table).
pub fn allows(method: &str, roles: &[Role]) -> bool {
    match rule(method).map(|rule| rule.access) {
        Some(Public) | Some(Authenticated) => true,
        Some(Roles(allowed)) => roles.iter().any(|role| allowed.contains(role)),
        None => false,
    }
}

/// Every role a principal can hold.
pub const ALL_ROLES: [Role; 7] = [
    Role::Admin,
    Role::DocumentController,
    Role::CounterStaff,
    Role::ProcessingOfficer,
    Role::Leader,
    Role::InternalAuditor,
    Role::Viewer,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_api_method_has_exactly_one_row() {
        let methods = eiso_proto::all_methods().expect("descriptor set");
        let missing: Vec<_> = methods.iter().filter(|m| rule(m).is_none()).collect();
        assert!(
            missing.is_empty(),
            "methods missing from the authorisation table: {missing:?}"
        );
        for rule in POLICY {
            let rows = POLICY.iter().filter(|r| r.method == rule.method).count();
            assert_eq!(rows, 1, "{} has {rows} rows", rule.method);
        }
    }

    #[test]
    fn every_method_times_every_role_is_decided_by_the_table() {
        for method in eiso_proto::all_methods().expect("descriptor set") {
            let access = rule(&method).expect("row").access;
            for role in ALL_ROLES {
                let expected = match access {
                    Public | Authenticated => true,
                    Roles(allowed) => allowed.contains(&role),
                };
                assert_eq!(allows(&method, &[role]), expected, "{method} for {role:?}");
            }
            // Administration is never open to read-only or counter roles.
            if method.contains("Create") && method.contains("IdentityService") {
                assert!(!allows(&method, &[Role::Viewer]), "{method} open to viewers");
                assert!(
                    !allows(&method, &[Role::CounterStaff]),
                    "{method} open to counter staff"
                );
            }
        }
    }

    #[test]
    fn unknown_methods_are_refused() {
        assert!(!allows("/eiso.identity.v1.IdentityService/DropEverything", &ALL_ROLES));
    }
}
