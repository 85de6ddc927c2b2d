//! The API methods the pages call, by their policy-table names: a page is
//! allowed exactly what the same call over gRPC would be.

pub const RECEIVE_DOSSIER: &str = "/eiso.procedures.v1.DossierService/ReceiveDossier";
pub const REFUSE_DOSSIER: &str = "/eiso.procedures.v1.DossierService/RefuseDossier";
pub const GET_DOSSIER: &str = "/eiso.procedures.v1.DossierService/GetDossier";
pub const LIST_DOSSIERS: &str = "/eiso.procedures.v1.DossierService/ListDossiers";
pub const RENDER_FORM: &str = "/eiso.procedures.v1.DossierService/RenderForm";
pub const LIST_PROCEDURES: &str = "/eiso.procedures.v1.ProcedureService/ListProcedures";
pub const SET_USER_PASSWORD: &str = "/eiso.identity.v1.IdentityService/SetUserPassword";
pub const LIST_PLANS: &str = "/eiso.plans.v1.PlanService/ListPlans";
pub const LIST_TARGETS: &str = "/eiso.plans.v1.PlanService/ListTargets";
pub const SEARCH: &str = "/eiso.search.v1.SearchService/Search";
pub const GET_SERVICE_STATISTICS: &str = "/eiso.procedures.v1.DossierService/GetServiceStatistics";
pub const LIST_DOCUMENTS: &str = "/eiso.documents.v1.DocumentService/ListDocuments";
pub const GET_DOCUMENT: &str = "/eiso.documents.v1.DocumentService/GetDocument";
pub const LIST_REVISIONS: &str = "/eiso.documents.v1.DocumentService/ListRevisions";
pub const DOWNLOAD_FILE: &str = "/eiso.documents.v1.DocumentService/DownloadFile";
pub const APPROVE_REVISION: &str = "/eiso.documents.v1.DocumentService/ApproveRevision";
pub const REJECT_REVISION: &str = "/eiso.documents.v1.DocumentService/RejectRevision";
pub const PUBLISH_REVISION: &str = "/eiso.documents.v1.DocumentService/PublishRevision";
pub const LIST_REVIEW_DUE: &str = "/eiso.documents.v1.DocumentService/ListReviewDueDocuments";
pub const LIST_RECORDS: &str = "/eiso.documents.v1.DocumentService/ListRecords";
pub const GET_RECORD: &str = "/eiso.documents.v1.DocumentService/GetRecord";
pub const LIST_RECORDS_DUE: &str = "/eiso.documents.v1.DocumentService/ListRecordsDueForDisposition";
pub const DISPOSE_RECORD: &str = "/eiso.documents.v1.DocumentService/DisposeRecord";
pub const ACKNOWLEDGE_REVISION: &str = "/eiso.documents.v1.DocumentService/AcknowledgeRevision";
pub const LIST_ACKNOWLEDGEMENTS: &str = "/eiso.documents.v1.DocumentService/ListAcknowledgements";
pub const LIST_AUDIT_ENTRIES: &str = "/eiso.audit.v1.AuditService/ListAuditEntries";
pub const VERIFY_AUDIT_TRAIL: &str = "/eiso.audit.v1.AuditService/VerifyAuditTrail";
pub const LIST_AUDIT_TRAILS: &str = "/eiso.audit.v1.AuditService/ListAuditTrails";
pub const GET_PLAN: &str = "/eiso.plans.v1.PlanService/GetPlan";
pub const LIST_TASKS: &str = "/eiso.plans.v1.PlanService/ListTasks";
pub const GET_TASK: &str = "/eiso.plans.v1.PlanService/GetTask";
pub const RECORD_TASK_PROGRESS: &str = "/eiso.plans.v1.PlanService/RecordTaskProgress";
pub const ADD_TASK_EVIDENCE: &str = "/eiso.plans.v1.PlanService/AddTaskEvidence";
