//! Each group of services in a process of its own (issue 13): identity
//! alone; documents with identity at `[upstream]`; procedures (with sync
//! and notify) likewise; the management group (plans, quality) with
//! identity at `[upstream]` and the two others at its `routes`; all on the
//! same storage. What plans and quality take of documents and procedures
//! goes over gRPC: an evidence link is resolved with the caller's own token,
//! so a binding at a unit still covers that unit and the ones below it and
//! nothing above or beside it; a report is numbered in the documents
//! process's register and filed there as a record; a management review pack
//! reads the dossier figures from the procedures process and is filed as the
//! leader who asked for it. The audit and event services of any process
//! answer for every group's trail and stream.

use eiso_platform::clock::Clock;
use eiso_proto::eiso::audit::v1::VerifyAuditTrailRequest;
use eiso_proto::eiso::audit::v1::audit_service_client::AuditServiceClient;
use eiso_proto::eiso::documents::v1::document_service_client::DocumentServiceClient;
use eiso_proto::eiso::documents::v1::{AllocateIssueNumberRequest, GetRecordRequest, record};
use eiso_proto::eiso::event::v1::GetEventStreamRequest;
use eiso_proto::eiso::event::v1::event_service_client::EventServiceClient;
use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::plans::v1::plan_service_client::PlanServiceClient;
use eiso_proto::eiso::plans::v1::{AddTaskEvidenceRequest, ListPlansRequest, Task};
use eiso_proto::eiso::procedures::v1 as procs;
use eiso_proto::eiso::quality::v1::GenerateManagementReviewPackRequest;
use eiso_proto::eiso::quality::v1::quality_service_client::QualityServiceClient;
use eiso_tests::documents::kept_record;
use eiso_tests::plans::{create_plan, create_task, quarterly_report, reform_plan};
use eiso_tests::replica::Replica;
use eiso_tests::values::bad_fields;
use eiso_tests::{TestServer, bearer, browser, trail_names};
use tonic::Code;
use tonic::transport::Channel;

/// The procedures group.
const PROCEDURES: [&str; 3] = ["procedures", "sync", "notify"];

/// The year of the plans (the quarter reported on is over).
const YEAR: i32 = 2026;

type Intercepted = tonic::service::interceptor::InterceptedService<Channel, eiso_tests::Bearer>;

fn documents(channel: Channel, token: &str) -> DocumentServiceClient<Intercepted> {
    DocumentServiceClient::with_interceptor(channel, bearer(Some(token)))
}

fn plans(channel: Channel, token: &str) -> PlanServiceClient<Intercepted> {
    PlanServiceClient::with_interceptor(channel, bearer(Some(token)))
}

fn audit(channel: Channel, token: &str) -> AuditServiceClient<Intercepted> {
    AuditServiceClient::with_interceptor(channel, bearer(Some(token)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plans_and_quality_apart_from_the_documents_and_dossiers_they_use_keep_the_callers_scope() {
    let identity = TestServer::start_configured(|config| config.services = Some(vec!["identity".into()])).await;
    let units = identity.office_with_neighbours().await;
    let documents_upstream = identity.upstream_as("Nhóm tài liệu", &[Role::Admin]).await;
    let records = Replica::start_configured(&identity, Clock::system(), |config| {
        config.services = Some(vec!["documents".into()]);
        config.upstream = Some(documents_upstream);
    })
    .await;
    let procedures_upstream = identity.upstream_as("Nhóm thủ tục", &[Role::Admin]).await;
    let procedures = Replica::start_configured(&identity, Clock::system(), |config| {
        config.services = Some(PROCEDURES.map(String::from).to_vec());
        config.upstream = Some(procedures_upstream);
    })
    .await;
    let mut management_upstream = identity
        .upstream_as("Nhóm quản lý", &[Role::Admin, Role::Leader])
        .await
        .with_route("documents", format!("http://{}", records.addr));
    for service in PROCEDURES {
        management_upstream = management_upstream.with_route(service, format!("http://{}", procedures.addr));
    }
    let management_identity = format!("clients/{}", management_upstream.client_id());
    let management = Replica::start_configured(&identity, Clock::system(), |config| {
        config.services = Some(vec!["plans".into(), "quality".into()]);
        config.upstream = Some(management_upstream);
    })
    .await;

    // The office's record keeper files a record in the documents process.
    let (_, keeper) = identity
        .user_with_role("van.thu", Role::DocumentController, &units.office.name)
        .await;
    let kept = documents(records.lazy_channel(), &keeper)
        .create_record(kept_record("Biên bản kiểm tra nội bộ năm 2026", &units.office.name))
        .await
        .expect("the office's record keeper files a record")
        .into_inner();

    // One leader per relation to the office, each with a plan of their own
    // unit, links the office's record as a task's evidence: the leader at
    // the office and the one above it see it; below and beside, the record
    // does not exist for them (as in one process: the link is resolved as
    // the caller, not as the management group's service identity).
    let rows = [
        ("lanh.dao.cung", &units.office, true),
        ("lanh.dao.tren", &units.root, true),
        ("lanh.dao.duoi", &units.below, false),
        ("lanh.dao.ben", &units.sibling, false),
    ];
    let mut office_leader = None;
    for (username, unit, sees) in rows {
        let (user, token) = identity.user_with_role(username, Role::Leader, &unit.name).await;
        let mut client = plans(management.lazy_channel(), &token);
        let plan = create_plan(&mut client, reform_plan(&unit.name, YEAR)).await;
        let task = create_task(
            &mut client,
            &plan.name,
            Task {
                number: "1".into(),
                content: "Kiểm tra nội bộ việc giải quyết thủ tục hành chính".into(),
                ..Default::default()
            },
        )
        .await;
        let linked = client
            .add_task_evidence(AddTaskEvidenceRequest {
                name: task.name.clone(),
                resource: kept.name.clone(),
            })
            .await;
        if sees {
            let linked = linked.unwrap_or_else(|e| panic!("{username} links the record: {e:?}"));
            let evidence = &linked.into_inner().evidence;
            assert_eq!(evidence.len(), 1, "{username}");
            assert_eq!(
                (evidence[0].kind.as_str(), evidence[0].title.as_str()),
                ("record", kept.title.as_str()),
                "{username}"
            );
        } else {
            let status = linked.expect_err(username);
            assert_eq!(status.code(), Code::InvalidArgument, "{username}: {status:?}");
            assert_eq!(bad_fields(&status), ["resource"], "{username}");
        }
        if unit.name == units.office.name {
            office_leader = Some((user, token, plan));
        }
    }
    let (leader, leader_token, plan) = office_leader.unwrap();

    // The office's quarterly report: numbered in the office's register,
    // which the documents process keeps, and filed there as a closed record by
    // the management group's service identity (a periodic report is filed
    // by the server, whoever asks first, as `system` is in one process).
    let report = plans(management.lazy_channel(), &leader_token)
        .generate_report(quarterly_report(&plan.name, 1))
        .await
        .expect("the report is generated")
        .into_inner();
    assert_eq!(report.document_number, "01/BC", "{report:?}");
    let filed = documents(records.lazy_channel(), &leader_token)
        .get_record(GetRecordRequest {
            name: report.record.clone(),
        })
        .await
        .expect("the report's record is in the documents process")
        .into_inner();
    assert_eq!(filed.state, record::State::Closed as i32, "{filed:?}");
    assert!(!filed.files.is_empty(), "{filed:?}");
    assert_eq!(filed.owner_unit, units.office.name);
    let created = record_creators(&records, &identity, &report.record).await;
    assert_eq!(created, vec![management_identity]);
    // The register is one: the next number the documents process gives is 2.
    let next = documents(records.lazy_channel(), &leader_token)
        .allocate_issue_number(AllocateIssueNumberRequest {
            unit: units.office.name.clone(),
            year: YEAR,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(next.number, 2);

    // A management review pack reads the office's dossier figures from the
    // procedures process and is the register's third document.
    let pack = QualityServiceClient::with_interceptor(management.lazy_channel(), bearer(Some(&leader_token)))
        .generate_management_review_pack(GenerateManagementReviewPackRequest {
            unit: units.office.name.clone(),
            start_date: Some(procs::LocalDate {
                year: YEAR,
                month: 1,
                day: 1,
            }),
            end_date: Some(procs::LocalDate {
                year: YEAR,
                month: 6,
                day: 30,
            }),
            title: String::new(),
            request_id: "review-h1".into(),
        })
        .await
        .expect("the review pack is generated")
        .into_inner();
    assert_eq!(pack.document_number, "03/BC", "{pack:?}");
    // The pack is filed as the leader who asked for it: the documents
    // process checked the leader's own token.
    let created = record_creators(&records, &identity, &pack.record).await;
    assert_eq!(
        created,
        vec![leader.name],
        "filed as the caller, not as the service identity"
    );

    // Each process serves its own group and answers UNIMPLEMENTED for the
    // others'; neither serves pages.
    let plans_at_records = plans(records.lazy_channel(), &leader_token)
        .list_plans(ListPlansRequest::default())
        .await
        .unwrap_err();
    assert_eq!(plans_at_records.code(), Code::Unimplemented);
    let records_at_management = documents(management.lazy_channel(), &leader_token)
        .get_record(GetRecordRequest {
            name: kept.name.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(records_at_management.code(), Code::Unimplemented);
    let dossiers_at_documents =
        eiso_proto::eiso::procedures::v1::dossier_service_client::DossierServiceClient::with_interceptor(
            records.lazy_channel(),
            bearer(Some(&leader_token)),
        )
        .list_dossiers(procs::ListDossiersRequest::default())
        .await
        .unwrap_err();
    assert_eq!(dossiers_at_documents.code(), Code::Unimplemented);
    for process in [&records, &procedures, &management] {
        let page = browser::Browser::new(process.addr).get("/").await;
        assert_eq!(page.status, 404, "{}", page.body);
    }

    // The management group's audit and event services answer for every
    // group's trail and stream, from where each is kept.
    let admin = &identity.admin_token;
    assert_eq!(
        trail_names(management.lazy_channel(), admin).await,
        [
            "trails/documents",
            "trails/identity",
            "trails/plans",
            "trails/procedures",
            "trails/quality"
        ]
    );
    for trail in ["trails/documents", "trails/identity", "trails/plans"] {
        let verified = audit(management.lazy_channel(), admin)
            .verify_audit_trail(VerifyAuditTrailRequest { name: trail.into() })
            .await
            .unwrap()
            .into_inner();
        assert!(verified.intact && verified.entries_checked > 0, "{trail}: {verified:?}");
        let refused = audit(management.lazy_channel(), &leader_token)
            .verify_audit_trail(VerifyAuditTrailRequest { name: trail.into() })
            .await
            .unwrap_err();
        assert_eq!(refused.code(), Code::PermissionDenied, "{trail}: {refused:?}");
    }
    let documents_stream = EventServiceClient::with_interceptor(management.lazy_channel(), bearer(Some(admin)))
        .get_event_stream(GetEventStreamRequest {
            name: "eventStreams/documents".into(),
        })
        .await
        .expect("the documents stream, from the documents process")
        .into_inner();
    assert!(documents_stream.head_sequence > 0, "{documents_stream:?}");

    management.stop().await;
    procedures.stop().await;
    records.stop().await;
    identity.stop().await;
}

/// Who created `record`, as the documents trail (kept by the documents process)
/// says: the actors of its successful CreateRecord entries.
async fn record_creators(records: &Replica, identity: &TestServer, record: &str) -> Vec<String> {
    audit(records.lazy_channel(), &identity.admin_token)
        .list_audit_entries(eiso_proto::eiso::audit::v1::ListAuditEntriesRequest {
            parent: "trails/documents".into(),
            filter: format!(
                "resource = \"{record}\" AND code = 0 AND method = \"/eiso.documents.v1.DocumentService/CreateRecord\""
            ),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .audit_entries
        .into_iter()
        .map(|entry| entry.actor)
        .collect()
}
