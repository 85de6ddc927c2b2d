//! The plans and quality side of a split process (issue 13): evidence links,
//! audit subjects, record filing, the register of issued documents, the
//! plans' measures and the management review's statistics, answered over
//! gRPC by a real server (`eiso-server`'s remote adapters), compared question
//! by question with the same adapters answering in process over the same
//! storage.

use std::sync::Arc;

use chrono::{Datelike, NaiveDate, Utc};
use eiso_platform::context::BearerToken;
use eiso_platform::db::{Db, StorageTarget};
use eiso_platform::gateway::TokenVerifier;
use eiso_platform::links::{Contribution, LinkedResource, RecordToFile, ResourceLinks, Subject};
use eiso_platform::{CallContext, Journal, ServiceError, ServiceResult};
use eiso_procedures::Procedures;
use eiso_proto::eiso::documents::v1 as docs;
use eiso_proto::eiso::identity::v1::Role;
use eiso_remote::{RemoteDirectory, RemoteVerifier, Upstream};
use eiso_server::links::ServiceLinks;
use eiso_server::measures::{Measures, Quality, ServiceMeasures};
use eiso_server::review_sources::{Plans, ReviewSources, ServerReviewSources};
use eiso_tests::TestServer;
use eiso_tests::counter::SchoolWithDossier;
use eiso_tests::documents::{PDF, create, file_record, kept_record, procedure, upload};

/// The adapters in process and over gRPC, side by side.
struct Adapters {
    local_links: Arc<dyn ResourceLinks>,
    remote_links: Arc<dyn ResourceLinks>,
    local_measures: Arc<dyn Measures>,
    remote_measures: Arc<dyn Measures>,
    local_review: Arc<dyn ReviewSources>,
    remote_review: Arc<dyn ReviewSources>,
    verifier: RemoteVerifier,
    /// `clients/{id}` of the remote adapters' service identity.
    service: String,
    /// The second process's services over the server's storage (kept open).
    _app: eiso_server::App,
    _search: tempfile::TempDir,
}

/// The storage of `service` on the server's backend (migrated by the server).
macro_rules! open {
    ($server:expr, $service:ident) => {
        Db::open::<eiso_migrations::$service::Migrator>(
            &StorageTarget::for_service(&$server.config, stringify!($service)),
            &$server.config,
        )
        .await
        .unwrap()
    };
}

/// The in-process adapters over the server's own storage (documents from a
/// second `App` on it; procedures, quality and plans from their library
/// APIs, with identity's lookups over gRPC, which `remote.rs` shows answer
/// as in process), and the remote ones at the server, signed in as an API
/// client bound at the root as administrator and leader.
async fn adapters(server: &TestServer) -> Adapters {
    let upstream = Arc::new(
        Upstream::new(
            &server
                .upstream_as("Kế hoạch và chất lượng", &[Role::Admin, Role::Leader])
                .await,
        )
        .unwrap(),
    );
    let directory: Arc<dyn eiso_platform::directory::Directory> = Arc::new(RemoteDirectory::new(upstream.clone()));
    let search = tempfile::tempdir().unwrap();
    let mut config = server.config.clone();
    config.search_dir = Some(search.path().to_path_buf());
    let app = eiso_server::App::prepare(config).await.unwrap();
    let documents = app.documents().expect("hosts documents").clone();
    let procedures = Procedures::new(Journal::new(open!(server, procedures)), directory.clone());

    let local_links: Arc<dyn ResourceLinks> = Arc::new(ServiceLinks::in_process(documents, procedures.clone()));
    let remote_links: Arc<dyn ResourceLinks> = Arc::new(ServiceLinks::remote(upstream.clone(), upstream.clone()));
    let quality = Quality::new(
        Journal::new(open!(server, quality)),
        directory.clone(),
        local_links.clone(),
    );
    let local_measures: Arc<dyn Measures> =
        Arc::new(ServiceMeasures::in_process(procedures.clone(), quality.clone(), None));
    let remote_measures: Arc<dyn Measures> = Arc::new(ServiceMeasures::remote(
        quality.clone(),
        upstream.clone(),
        upstream.clone(),
    ));
    let plans = Plans::new(
        Journal::new(open!(server, plans)),
        directory,
        local_links.clone(),
        local_measures.clone(),
    );
    Adapters {
        local_links,
        remote_links,
        local_measures,
        remote_measures,
        local_review: Arc::new(ServerReviewSources::in_process(procedures, plans.clone())),
        remote_review: Arc::new(ServerReviewSources::remote(upstream.clone(), plans)),
        service: upstream.service_principal().unwrap(),
        verifier: RemoteVerifier::new(upstream),
        _app: app,
        _search: search,
    }
}

impl Adapters {
    /// The context of a gRPC call by the holder of `token` to `method`.
    async fn caller(&self, token: &str, method: &str) -> CallContext {
        let principal = self.verifier.verify(token).await.unwrap();
        CallContext {
            method: method.into(),
            principal,
            reason: String::new(),
            request_id: String::new(),
            token: Some(BearerToken::new(token)),
        }
    }
}

/// An answer as compared: the value, or the error's code and the fields it
/// names (the messages of both come from the same code).
fn shape<T: std::fmt::Debug>(answer: &ServiceResult<T>) -> String {
    match answer {
        Ok(value) => format!("Ok({value:?})"),
        Err(ServiceError::InvalidArgument(violations)) => format!("InvalidArgument({violations:?})"),
        Err(error) => format!("{:?}", error.code()),
    }
}

/// Neither side failed for a reason that says nothing about the question.
fn answered<T>(who: &str, question: &str, answer: &ServiceResult<T>) {
    if let Err(error @ (ServiceError::Internal(_) | ServiceError::Unavailable(_) | ServiceError::DataLoss(_))) = answer
    {
        panic!("{who}: {question} failed: {error}");
    }
}

/// Today where the office is (the statistics count local days).
fn local_today() -> NaiveDate {
    Utc::now()
        .with_timezone(&eiso_platform::aip::time::TIME_ZONE)
        .date_naive()
}

const GENERATE_REPORT: &str = "/eiso.plans.v1.PlanService/GenerateReport";

/// What the test made: a published document (written by `soan.thao`,
/// approved by the school's leader), a restricted draft, a record filed by
/// the counter clerk, and the dossier.
struct Made {
    school: SchoolWithDossier,
    author: String,
    approver: String,
    clerk: String,
    leader_token: String,
    document: docs::Document,
    revision: String,
    restricted: docs::Document,
    record: docs::Record,
}

async fn make(server: &TestServer) -> Made {
    let school = server.school_with_dossier().await;
    let at_school = school.school.name.clone();
    let (author, author_token) = server
        .user_with_role("soan.thao", Role::DocumentController, &at_school)
        .await;
    let (approver, leader_token) = server.user_with_role("lanh.dao.a", Role::Leader, &at_school).await;
    let mut documents = server.documents(&author_token);
    let document = documents
        .create_document(create(procedure(
            "QT-TTHC-01",
            "Quy trình tiếp nhận và trả kết quả hồ sơ",
            &at_school,
            docs::Confidentiality::Internal,
        )))
        .await
        .unwrap()
        .into_inner();
    let revision = documents
        .create_revision(eiso_tests::documents::first_revision(&document.name))
        .await
        .unwrap()
        .into_inner();
    upload(&mut documents, &revision.name, "QT-TTHC-01.pdf", PDF, b"quy trinh")
        .await
        .unwrap();
    eiso_tests::documents::publish_reviewed(
        &mut documents,
        &mut server.documents(&leader_token),
        &revision.name,
        &approver.name,
    )
    .await;
    let restricted = documents
        .create_document(create(procedure(
            "QT-NS-01",
            "Quy trình đánh giá viên chức",
            &at_school,
            docs::Confidentiality::Restricted,
        )))
        .await
        .unwrap()
        .into_inner();
    documents
        .create_revision(eiso_tests::documents::first_revision(&restricted.name))
        .await
        .unwrap();
    let (clerk, clerk_token) = server.user_with_role("mot.cua.b", Role::CounterStaff, &at_school).await;
    let record = file_record(
        &mut server.documents(&clerk_token),
        kept_record("Sổ theo dõi hồ sơ năm 2024", &at_school),
    )
    .await;
    Made {
        school,
        author: author.name,
        approver: approver.name,
        clerk: clerk.name,
        leader_token,
        document,
        revision: revision.name,
        restricted,
        record,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_and_subjects_over_grpc_answer_as_in_process() {
    let server = TestServer::start().await;
    let made = make(&server).await;
    let adapters = adapters(&server).await;
    let school = &made.school;

    // Leaders bound at the owner, above it, below it and beside it.
    let mut callers = vec![(
        "the owner's leader".to_string(),
        adapters.caller(&made.leader_token, GENERATE_REPORT).await,
    )];
    for (label, username, unit) in [
        ("a leader above", "lanh.dao.pgd", &school.office.unit.name),
        ("a leader below", "lanh.dao.to", &school.below.name),
        ("a leader beside", "lanh.dao.b", &school.sibling.name),
    ] {
        let (_, token) = server.user_with_role(username, Role::Leader, unit).await;
        callers.push((label.to_string(), adapters.caller(&token, GENERATE_REPORT).await));
    }
    callers.push(("the server itself".to_string(), CallContext::system(GENERATE_REPORT)));

    let revision_2 = format!("{}/revisions/2", made.document.name);
    let names = [
        made.document.name.as_str(),
        made.revision.as_str(),
        revision_2.as_str(),
        made.restricted.name.as_str(),
        made.record.name.as_str(),
        school.dossier.name.as_str(),
        "documents/khong-co",
        "records/khong-co",
        "dossiers/khong-co",
        "documents",
        "plans/abc",
        "documents/x/revisions",
        "",
    ];
    let mut seen = Vec::new();
    for (who, ctx) in &callers {
        for name in names {
            let local = adapters.local_links.resolve(ctx, name, "evidence").await;
            let remote = adapters.remote_links.resolve(ctx, name, "evidence").await;
            let question = format!("resolve({name})");
            answered(who, &question, &local);
            answered(who, &question, &remote);
            assert_eq!(shape(&remote), shape(&local), "{who}: {question}");
            if local.is_ok() {
                seen.push((who.clone(), name.to_string()));
            }

            let local = adapters.local_links.subject(ctx, name, "subjects").await;
            let remote = adapters.remote_links.subject(ctx, name, "subjects").await;
            let question = format!("subject({name})");
            answered(who, &question, &local);
            answered(who, &question, &remote);
            assert_eq!(shape(&remote), shape(&local), "{who}: {question}");
        }
    }
    // The answers were answers: each caller sees what its place allows.
    let sees = |who: &str, name: &str| seen.contains(&(who.to_string(), name.to_string()));
    for who in ["the owner's leader", "a leader above", "the server itself"] {
        for name in [&made.restricted.name, &made.record.name, &school.dossier.name] {
            assert!(sees(who, name), "{who} sees {name}");
        }
    }
    for who in ["a leader below", "a leader beside"] {
        assert!(
            !sees(who, &made.restricted.name),
            "{who} does not see the restricted document"
        );
    }
    assert!(!sees("a leader beside", &school.dossier.name));
    assert!(
        sees("a leader beside", &made.document.name),
        "an internal document is seen by all"
    );

    // What the subjects are made of: the author and the approver of the
    // document; who filed the record.
    let owner = &callers[0].1;
    let subject = adapters
        .remote_links
        .subject(owner, &made.document.name, "subjects")
        .await
        .unwrap();
    assert_eq!(
        subject,
        Subject {
            name: made.document.name.clone(),
            kind: "document".into(),
            owner_unit: school.school.name.clone(),
            contributors: vec![
                (made.author.clone(), Contribution::Authored(1)),
                (made.approver.clone(), Contribution::Approved(1)),
            ],
        }
    );
    let subject = adapters
        .remote_links
        .subject(owner, &made.record.name, "subjects")
        .await
        .unwrap();
    assert_eq!(subject.contributors, vec![(made.clerk.clone(), Contribution::Filed)]);
    let linked = adapters
        .remote_links
        .resolve(owner, &made.revision, "evidence")
        .await
        .unwrap();
    assert_eq!(
        linked,
        LinkedResource {
            name: made.revision.clone(),
            kind: "revision".into(),
            title: "QT-TTHC-01 Quy trình tiếp nhận và trả kết quả hồ sơ (lần ban hành 1)".into(),
        }
    );

    // A malformed name is the caller's field, from both.
    for links in [&adapters.local_links, &adapters.remote_links] {
        let error = links.resolve(owner, "plans/abc", "evidence[2]").await.unwrap_err();
        match error {
            ServiceError::InvalidArgument(violations) => assert_eq!(violations[0].field, "evidence[2]"),
            other => panic!("{other:?}"),
        }
    }

    // A caller without a token (a web session) cannot be answered for over
    // gRPC: said so, not answered as someone else.
    let mut tokenless = owner.clone();
    tokenless.token = None;
    let error = adapters
        .remote_links
        .resolve(&tokenless, &made.document.name, "evidence")
        .await
        .unwrap_err();
    assert!(
        matches!(&error, ServiceError::Internal(message) if message.contains("without a bearer token")),
        "{error:?}"
    );
    server.stop().await;
}

/// The files of `record`'s latest revision, by name, as the admin reads it.
async fn record_as_filed(server: &TestServer, name: &str) -> docs::Record {
    server
        .documents(&server.admin_token)
        .get_record(docs::GetRecordRequest { name: name.into() })
        .await
        .unwrap()
        .into_inner()
}

fn report(unit: &str, request_id: &str) -> RecordToFile {
    RecordToFile {
        title: "Báo cáo CCHC quý I năm 2024".into(),
        owner_unit: unit.into(),
        retention_months: 60,
        files: vec![
            ("bao-cao.html".into(), "text/html".into(), b"<p>bao cao</p>".to_vec()),
            ("bao-cao.pdf".into(), PDF.into(), vec![7u8; 1_500_000]),
        ],
        request_id: request_id.into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filing_revising_and_numbering_over_grpc_do_what_they_do_in_process() {
    let server = TestServer::start().await;
    let made = make(&server).await;
    let adapters = adapters(&server).await;
    let unit = made.school.school.name.clone();
    let leader = adapters.caller(&made.leader_token, GENERATE_REPORT).await;
    let system = CallContext::system(GENERATE_REPORT);

    // Filed twice with one request id: one record, its files once, closed;
    // the same from both, and for the caller and the server itself.
    let file_names = |record: &docs::Record| {
        let mut names: Vec<String> = record.files.iter().map(|f| f.file_name.clone()).collect();
        names.sort();
        names
    };
    let mut filed = Vec::new();
    for (ctx, id) in [(&leader, "a"), (&system, "b")] {
        let mut shapes = Vec::new();
        for (side, links) in [("local", &adapters.local_links), ("remote", &adapters.remote_links)] {
            let request_id = format!("0b6a3c1e-{id}-{side}");
            let first = links.file_record(ctx, report(&unit, &request_id)).await.unwrap();
            let again = links.file_record(ctx, report(&unit, &request_id)).await.unwrap();
            assert_eq!(first, again, "{side}: one record");
            let record = record_as_filed(&server, &first).await;
            assert_eq!(record.state, docs::record::State::Closed as i32, "{side}");
            assert_eq!(
                file_names(&record),
                ["bao-cao.html", "bao-cao.pdf"],
                "{side}: files once"
            );
            let actor = adapters
                .remote_links
                .subject(&system, &first, "subjects")
                .await
                .unwrap()
                .contributors;
            // The server's own filing over gRPC is its service identity's.
            let filer = match (side, ctx.principal.name.as_str()) {
                ("remote", "system") => adapters.service.clone(),
                _ => ctx.principal.name.clone(),
            };
            assert_eq!(actor, vec![(filer, Contribution::Filed)], "{side}");
            shapes.push((
                record.title.clone(),
                record.owner_unit.clone(),
                record.retention_months,
                file_names(&record).len(),
            ));
            filed.push((side, first));
        }
        assert_eq!(shapes[0], shapes[1]);
    }

    // Revised to revision 2 twice: one revision, its files once; then a
    // revision that skips one is ABORTED, from both.
    for (side, links) in [("local", &adapters.local_links), ("remote", &adapters.remote_links)] {
        let record = &filed.iter().find(|(s, _)| *s == side).unwrap().1;
        let files = vec![("bao-cao-sua.pdf".to_string(), PDF.to_string(), b"sua".to_vec())];
        for _ in 0..2 {
            links
                .revise_record(&leader, record, 2, "Sửa số liệu quý I", files.clone())
                .await
                .unwrap();
        }
        let revised = record_as_filed(&server, record).await;
        assert_eq!(revised.revision, 2, "{side}");
        assert_eq!(revised.revisions.len(), 1, "{side}: one revision");
        assert_eq!(revised.state, docs::record::State::Closed as i32, "{side}");
        let in_revision: Vec<&docs::File> = revised
            .files
            .iter()
            .filter(|f| revised.revisions[0].files.contains(&f.name))
            .collect();
        assert_eq!(in_revision.len(), 1, "{side}: the revision's file once");
        let skipped = links
            .revise_record(&leader, record, 4, "Sửa lại", files.clone())
            .await
            .unwrap_err();
        assert!(matches!(skipped, ServiceError::Aborted(_)), "{side}: {skipped:?}");
    }

    // The register: one sequence, whichever side takes the number.
    let year = local_today().year();
    let mut numbers = Vec::new();
    for links in [
        &adapters.local_links,
        &adapters.remote_links,
        &adapters.remote_links,
        &adapters.local_links,
    ] {
        numbers.push(links.issue_number(&leader, &unit, year).await.unwrap());
    }
    numbers.push(adapters.remote_links.issue_number(&system, &unit, year).await.unwrap());
    let first = numbers[0];
    assert_eq!(numbers, (first..first + 5).collect::<Vec<_>>());
    // Refused alike: a unit the caller's binding does not cover.
    let beside = &made.school.sibling.name;
    let local = adapters.local_links.issue_number(&leader, beside, year).await;
    let remote = adapters.remote_links.issue_number(&leader, beside, year).await;
    assert!(local.is_err(), "{local:?}");
    assert_eq!(shape(&remote), shape(&local));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn measures_and_review_statistics_over_grpc_are_the_in_process_ones() {
    let server = TestServer::start().await;
    let made = make(&server).await;
    let adapters = adapters(&server).await;
    let school = &made.school;
    let leader = adapters
        .caller(&made.leader_token, "/eiso.plans.v1.PlanService/GetTargetFigures")
        .await;
    let system = CallContext::system("/eiso.plans.v1.PlanService/GenerateReport");
    let today = local_today();
    let year_start = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap();
    let year_end = NaiveDate::from_ymd_opt(today.year(), 12, 31).unwrap();
    let units = [
        school.school.name.as_str(),
        school.office.unit.name.as_str(),
        school.sibling.name.as_str(),
    ];
    for ctx in [&leader, &system] {
        for unit in units {
            for (start, end) in [(year_start, year_end), (today, today), (year_start, year_start)] {
                let question = format!("service_statistics({unit}, {start}, {end})");
                let local = adapters.local_measures.service_statistics(ctx, unit, start, end).await;
                let remote = adapters.remote_measures.service_statistics(ctx, unit, start, end).await;
                answered("measures", &question, &local);
                assert_eq!(shape(&remote), shape(&local), "measures: {question}");

                let local = adapters.local_review.service_statistics(ctx, unit, start, end).await;
                let remote = adapters.remote_review.service_statistics(ctx, unit, start, end).await;
                answered("review", &question, &local);
                assert_eq!(shape(&remote), shape(&local), "review: {question}");

                let question = format!("dossiers_synced({unit}, {start}, {end})");
                let local = adapters.local_measures.dossiers_synced(ctx, unit, start, end).await;
                let remote = adapters.remote_measures.dossiers_synced(ctx, unit, start, end).await;
                answered("measures", &question, &remote);
                assert_eq!(shape(&remote), shape(&local), "measures: {question}");
                assert_eq!(local.unwrap(), None, "no portal: no data");
            }
            let question = format!("procedures_published({unit})");
            let local = adapters.local_measures.procedures_published(ctx, unit).await;
            let remote = adapters.remote_measures.procedures_published(ctx, unit).await;
            answered("measures", &question, &local);
            assert_eq!(shape(&remote), shape(&local), "measures: {question}");
        }
    }
    // The figures were there to compare: the school's dossier of today, its
    // one published procedure.
    let figures = adapters
        .remote_measures
        .service_statistics(&system, &school.school.name, today, today)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(figures.received, 1, "{figures:?}");
    let statistics = adapters
        .remote_review
        .service_statistics(&system, &school.school.name, today, today)
        .await
        .unwrap();
    assert_eq!(statistics.received, 1);
    assert_eq!(
        adapters
            .remote_measures
            .procedures_published(&system, &school.school.name)
            .await
            .unwrap(),
        Some((1, 1))
    );
    // A unit that does not exist is refused alike.
    let local = adapters
        .local_measures
        .service_statistics(&system, "units/khong-co", today, today)
        .await;
    let remote = adapters
        .remote_measures
        .service_statistics(&system, "units/khong-co", today, today)
        .await;
    assert!(local.is_err(), "{local:?}");
    assert_eq!(shape(&remote), shape(&local));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_synced_count_over_grpc_is_data_where_a_portal_is_configured() {
    let (_portal, server) = TestServer::with_portal().await;
    let made = make(&server).await;
    let adapters = adapters(&server).await;
    let system = CallContext::system(GENERATE_REPORT);
    let today = local_today();
    let synced = adapters
        .remote_measures
        .dossiers_synced(&system, &made.school.school.name, today, today)
        .await
        .unwrap();
    // Of the school's one dossier, those delivered so far.
    assert!(matches!(synced, Some(0..=1)), "{synced:?}");
    server.stop().await;
}
