//! The expected answers, one row per method: how far a caller's binding
//! reaches a resource of the unit S1, whose parent is D, whose child is S1a
//! and whose sibling is S2 (the caller bound at S1: same unit; at D: an
//! ancestor; at S1a: a descendant; at S2: a sibling).
//!
//! The answer of a call is the authorisation table's (does the role's row
//! allow the method at all?) AND this table's reach:
//!
//! | reach      | same | ancestor | descendant | sibling |
//! |------------|------|----------|------------|---------|
//! | `Open`     | yes  | yes      | yes        | yes     |
//! | `Within`   | yes  | yes      | no         | no      |
//! | `Root`     | no   | no       | no         | no      |
//! | `OwnAdmin` | an administrator, as `Within`; anyone else, no       |
//! | `Subject`  | yes  | yes      | yes        | no      |
//!
//! "no" is PERMISSION_DENIED or NOT_FOUND (NOT_FOUND where the caller may not
//! learn that the resource exists), or, for a list, the resource missing
//! from the page; "yes" is any other answer (the call got past the gates and
//! was decided on its merits), or, for a list, the resource on the page.
//! `Root` methods span every unit and answer only to a binding at a root
//! unit (no caller of the four relations has one; the root administrator is
//! checked separately). `Subject` is a resource of S1's quality programmes
//! that is about S1a, the unit below: an inspection of S1a (the programme's
//! units change it, S1a reads it too) or a corrective action of a finding
//! at S1a (it belongs to S1a).

/// How far a caller's binding reaches (see the module's table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    Open,
    Within,
    Root,
    /// Own account, or an administrator of the account's units.
    OwnAdmin,
    /// About S1a inside S1's programme: reached from S1a as well.
    Subject,
}

use Reach::{Open, OwnAdmin, Root, Subject, Within};

pub const TABLE: &[(&str, Reach)] = &[
    // Identity: units, users and clients are administered within the
    // administrator's units; the directory is open to every signed-in user.
    ("/eiso.identity.v1.IdentityService/WhoAmI", Open),
    ("/eiso.identity.v1.IdentityService/CreateUnit", Within),
    ("/eiso.identity.v1.IdentityService/GetUnit", Open),
    ("/eiso.identity.v1.IdentityService/ListUnits", Open),
    ("/eiso.identity.v1.IdentityService/UpdateUnit", Within),
    ("/eiso.identity.v1.IdentityService/RenameUnit", Within),
    ("/eiso.identity.v1.IdentityService/MergeUnits", Within),
    ("/eiso.identity.v1.IdentityService/DissolveUnit", Within),
    ("/eiso.identity.v1.IdentityService/CreateUser", Within),
    ("/eiso.identity.v1.IdentityService/GetUser", Open),
    ("/eiso.identity.v1.IdentityService/ListUsers", Open),
    ("/eiso.identity.v1.IdentityService/UpdateUser", Within),
    ("/eiso.identity.v1.IdentityService/SetUserPassword", OwnAdmin),
    ("/eiso.identity.v1.IdentityService/CreateApiClient", Within),
    ("/eiso.identity.v1.IdentityService/GetApiClient", Within),
    ("/eiso.identity.v1.IdentityService/ListApiClients", Root),
    ("/eiso.identity.v1.IdentityService/RevokeApiClient", Within),
    ("/eiso.identity.v1.IdentityService/WatchEvents", Root),
    // Document control: the resources are a restricted document of S1 (its
    // revisions and files) and a record of S1.
    ("/eiso.documents.v1.DocumentService/CreateDocument", Within),
    ("/eiso.documents.v1.DocumentService/GetDocument", Within),
    ("/eiso.documents.v1.DocumentService/ListDocuments", Within),
    ("/eiso.documents.v1.DocumentService/UpdateDocument", Within),
    ("/eiso.documents.v1.DocumentService/ListReviewDueDocuments", Within),
    ("/eiso.documents.v1.DocumentService/RecordPeriodicReview", Within),
    ("/eiso.documents.v1.DocumentService/CreateRevision", Within),
    ("/eiso.documents.v1.DocumentService/GetRevision", Within),
    ("/eiso.documents.v1.DocumentService/ListRevisions", Within),
    ("/eiso.documents.v1.DocumentService/UpdateRevision", Within),
    ("/eiso.documents.v1.DocumentService/CheckOutRevision", Within),
    ("/eiso.documents.v1.DocumentService/CheckInRevision", Within),
    ("/eiso.documents.v1.DocumentService/UploadFile", Within),
    ("/eiso.documents.v1.DocumentService/DownloadFile", Within),
    ("/eiso.documents.v1.DocumentService/DeleteFile", Within),
    ("/eiso.documents.v1.DocumentService/SubmitRevision", Within),
    ("/eiso.documents.v1.DocumentService/ApproveRevision", Within),
    ("/eiso.documents.v1.DocumentService/RejectRevision", Within),
    ("/eiso.documents.v1.DocumentService/PublishRevision", Within),
    ("/eiso.documents.v1.DocumentService/AcknowledgeRevision", Within),
    ("/eiso.documents.v1.DocumentService/ListAcknowledgements", Within),
    ("/eiso.documents.v1.DocumentService/CreateRecord", Within),
    ("/eiso.documents.v1.DocumentService/GetRecord", Within),
    ("/eiso.documents.v1.DocumentService/ListRecords", Within),
    ("/eiso.documents.v1.DocumentService/CloseRecord", Within),
    ("/eiso.documents.v1.DocumentService/ReviseRecord", Within),
    (
        "/eiso.documents.v1.DocumentService/ListRecordsDueForDisposition",
        Within,
    ),
    ("/eiso.documents.v1.DocumentService/DisposeRecord", Within),
    // S1's register of issued documents.
    ("/eiso.documents.v1.DocumentService/AllocateIssueNumber", Within),
    ("/eiso.documents.v1.DocumentService/ObsoleteDocument", Within),
    ("/eiso.documents.v1.DocumentService/WatchEvents", Root),
    // Office calendars are public: everyone computes deadlines; changing an
    // agency's calendar shifts every legal deadline of its dossiers.
    ("/eiso.procedures.v1.CalendarService/GetCalendar", Open),
    ("/eiso.procedures.v1.CalendarService/GetCalendarYear", Open),
    ("/eiso.procedures.v1.CalendarService/ListCalendarYears", Open),
    ("/eiso.procedures.v1.CalendarService/ComputeDeadline", Open),
    ("/eiso.procedures.v1.CalendarService/UpdateCalendar", Within),
    ("/eiso.procedures.v1.CalendarService/UpdateCalendarYear", Within),
    ("/eiso.procedures.v1.CalendarService/ProposeCalendarYear", Within),
    // The procedures catalogue is public; an agency's procedures change
    // within it.
    ("/eiso.procedures.v1.ProcedureService/GetProcedure", Open),
    ("/eiso.procedures.v1.ProcedureService/ListProcedures", Open),
    ("/eiso.procedures.v1.ProcedureService/ExportProcedures", Open),
    ("/eiso.procedures.v1.ProcedureService/CreateProcedure", Within),
    ("/eiso.procedures.v1.ProcedureService/CreateProcedureVersion", Within),
    ("/eiso.procedures.v1.ProcedureService/UpdateProcedureVersion", Within),
    ("/eiso.procedures.v1.ProcedureService/PublishProcedureVersion", Within),
    ("/eiso.procedures.v1.ProcedureService/WithdrawProcedure", Within),
    ("/eiso.procedures.v1.ProcedureService/ImportProcedures", Within),
    ("/eiso.procedures.v1.ProcedureService/WatchEvents", Root),
    // Dossiers belong to the agency that received them; their applicants'
    // personal data goes no further.
    ("/eiso.procedures.v1.DossierService/ReceiveDossier", Within),
    ("/eiso.procedures.v1.DossierService/GetDossier", Within),
    ("/eiso.procedures.v1.DossierService/ListDossiers", Within),
    ("/eiso.procedures.v1.DossierService/RenderForm", Within),
    ("/eiso.procedures.v1.DossierService/GetServiceStatistics", Within),
    ("/eiso.procedures.v1.DossierService/HandOverDossier", Within),
    ("/eiso.procedures.v1.DossierService/RequestSupplement", Within),
    ("/eiso.procedures.v1.DossierService/ReceiveSupplement", Within),
    ("/eiso.procedures.v1.DossierService/ExtendDossier", Within),
    ("/eiso.procedures.v1.DossierService/StopProcessing", Within),
    ("/eiso.procedures.v1.DossierService/CompleteDossier", Within),
    ("/eiso.procedures.v1.DossierService/ReturnResult", Within),
    ("/eiso.procedures.v1.DossierService/RateDossier", Within),
    ("/eiso.procedures.v1.DossierService/RefuseDossier", Within),
    ("/eiso.procedures.v1.DossierService/WithdrawDossier", Within),
    // Reform plans belong to their issuing unit, and so their tasks,
    // targets and reports.
    ("/eiso.plans.v1.PlanService/CreatePlan", Within),
    ("/eiso.plans.v1.PlanService/ImportPlan", Within),
    ("/eiso.plans.v1.PlanService/GetPlan", Within),
    ("/eiso.plans.v1.PlanService/ListPlans", Within),
    ("/eiso.plans.v1.PlanService/ExportPlan", Within),
    ("/eiso.plans.v1.PlanService/UpdatePlan", Within),
    ("/eiso.plans.v1.PlanService/CreateTask", Within),
    ("/eiso.plans.v1.PlanService/GetTask", Within),
    ("/eiso.plans.v1.PlanService/ListTasks", Within),
    ("/eiso.plans.v1.PlanService/UpdateTask", Within),
    ("/eiso.plans.v1.PlanService/RecordTaskProgress", Within),
    ("/eiso.plans.v1.PlanService/AddTaskEvidence", Within),
    ("/eiso.plans.v1.PlanService/ListTasksByEvidence", Within),
    ("/eiso.plans.v1.PlanService/RemoveTaskEvidence", Within),
    ("/eiso.plans.v1.PlanService/CreateTarget", Within),
    ("/eiso.plans.v1.PlanService/GetTarget", Within),
    ("/eiso.plans.v1.PlanService/ListTargets", Within),
    ("/eiso.plans.v1.PlanService/UpdateTarget", Within),
    ("/eiso.plans.v1.PlanService/EvaluateTargets", Within),
    ("/eiso.plans.v1.PlanService/GenerateReport", Within),
    ("/eiso.plans.v1.PlanService/ReissueReport", Within),
    ("/eiso.plans.v1.PlanService/GetReport", Within),
    ("/eiso.plans.v1.PlanService/ListReports", Within),
    ("/eiso.plans.v1.PlanService/ExportReport", Within),
    ("/eiso.plans.v1.PlanService/WatchEvents", Root),
    // The quality system: programmes, inspections, audits (their
    // programme's unit) and findings (their audit's), corrective actions,
    // management reviews, diagnostics. The indicator set is the system's one.
    ("/eiso.quality.v1.QualityService/CreateInspectionProgramme", Within),
    ("/eiso.quality.v1.QualityService/GetInspectionProgramme", Within),
    ("/eiso.quality.v1.QualityService/ListInspectionProgrammes", Within),
    ("/eiso.quality.v1.QualityService/UpdateInspectionProgramme", Within),
    ("/eiso.quality.v1.QualityService/CreateInspection", Within),
    ("/eiso.quality.v1.QualityService/GetInspection", Subject),
    ("/eiso.quality.v1.QualityService/ListInspections", Subject),
    ("/eiso.quality.v1.QualityService/GetInspectionCoverage", Within),
    ("/eiso.quality.v1.QualityService/CompleteInspection", Within),
    ("/eiso.quality.v1.QualityService/CancelInspection", Within),
    ("/eiso.quality.v1.QualityService/CreateAuditProgramme", Within),
    ("/eiso.quality.v1.QualityService/GetAuditProgramme", Within),
    ("/eiso.quality.v1.QualityService/ListAuditProgrammes", Within),
    ("/eiso.quality.v1.QualityService/CreateAudit", Within),
    ("/eiso.quality.v1.QualityService/GetAudit", Within),
    ("/eiso.quality.v1.QualityService/ListAudits", Within),
    ("/eiso.quality.v1.QualityService/UpdateAudit", Within),
    ("/eiso.quality.v1.QualityService/StartAudit", Within),
    ("/eiso.quality.v1.QualityService/CreateFinding", Within),
    ("/eiso.quality.v1.QualityService/GetFinding", Within),
    ("/eiso.quality.v1.QualityService/ListFindings", Within),
    ("/eiso.quality.v1.QualityService/UpdateFinding", Within),
    ("/eiso.quality.v1.QualityService/CompleteAudit", Within),
    ("/eiso.quality.v1.QualityService/CreateCorrectiveAction", Within),
    ("/eiso.quality.v1.QualityService/GetCorrectiveAction", Subject),
    ("/eiso.quality.v1.QualityService/ListCorrectiveActions", Subject),
    ("/eiso.quality.v1.QualityService/ListOverdueCorrectiveActions", Within),
    ("/eiso.quality.v1.QualityService/PlanCorrectiveAction", Subject),
    ("/eiso.quality.v1.QualityService/ImplementCorrectiveAction", Subject),
    ("/eiso.quality.v1.QualityService/VerifyCorrectiveAction", Subject),
    ("/eiso.quality.v1.QualityService/CloseCorrectiveAction", Subject),
    ("/eiso.quality.v1.QualityService/GenerateManagementReviewPack", Within),
    ("/eiso.quality.v1.QualityService/GetManagementReview", Within),
    ("/eiso.quality.v1.QualityService/ListManagementReviews", Within),
    ("/eiso.quality.v1.QualityService/CreateDiagnostic", Within),
    ("/eiso.quality.v1.QualityService/GetDiagnostic", Within),
    ("/eiso.quality.v1.QualityService/ListDiagnostics", Within),
    ("/eiso.quality.v1.QualityService/AssessIndicator", Within),
    ("/eiso.quality.v1.QualityService/ComparePeriods", Within),
    ("/eiso.quality.v1.QualityService/ListIndicators", Open),
    ("/eiso.quality.v1.QualityService/CreateIndicator", Root),
    ("/eiso.quality.v1.QualityService/UpdateIndicator", Root),
    ("/eiso.quality.v1.QualityService/WatchEvents", Root),
    // Search: results are filtered inside the query (the restricted
    // document of S1); the index's state is counts only; rebuilding is global.
    ("/eiso.search.v1.SearchService/Search", Within),
    ("/eiso.search.v1.SearchService/GetIndexStatus", Open),
    ("/eiso.search.v1.SearchService/RebuildIndex", Root),
    // Audit trails hold every unit's changes.
    ("/eiso.audit.v1.AuditService/ListAuditEntries", Root),
    ("/eiso.audit.v1.AuditService/VerifyAuditTrail", Root),
    ("/eiso.audit.v1.AuditService/ListAuditTrails", Root),
    // Event streams hold every unit's changes, as WatchEvents does.
    ("/eiso.event.v1.EventService/GetEventStream", Root),
    // The national portal's sync: a dossier's sync state belongs to its
    // agency (S1); the whole picture spans every unit.
    ("/eiso.sync.v1.SyncService/GetDossierSync", Within),
    ("/eiso.sync.v1.SyncService/ListDossierSyncs", Within),
    ("/eiso.sync.v1.SyncService/ResendDossierSync", Within),
    ("/eiso.sync.v1.SyncService/GetSyncStatus", Root),
    // The synced dossiers S1 received, counted.
    ("/eiso.sync.v1.SyncService/CountSyncedDossiers", Within),
    // The applicants' notifications belong to their dossier's agency (S1).
    ("/eiso.notify.v1.NotificationService/ListNotifications", Within),
    ("/eiso.notify.v1.NotificationService/ResendNotifications", Within),
];

/// Methods outside the scoping test, and why.
pub const NOT_SCOPED: &[(&str, &str)] = &[(
    "/eiso.identity.v1.IdentityService/Login",
    "sign-in comes before any binding",
)];

/// The reach of `method`, if the table has its row.
pub fn reach(method: &str) -> Option<Reach> {
    TABLE.iter().find(|(m, _)| *m == method).map(|(_, reach)| *reach)
}
