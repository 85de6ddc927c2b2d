//! The review inbox (chờ duyệt): a reviewer disagrees (saying what must
//! change) or agrees from the page, the document controller publishes what
//! was approved, and what the inbox lists across documents follows the same
//! unit scoping as reading the documents.

use eiso_proto::eiso::documents::v1::*;
use eiso_proto::eiso::identity::v1::Role;
use eiso_tests::TestServer;
use eiso_tests::documents::{PDF, create, first_revision, procedure, upload};

/// A draft of `document` with a PDF, sent by `controller` to `reviewers`: its name.
async fn in_review(server: &TestServer, controller: &str, document: &str, reviewers: &[&str]) -> String {
    let mut client = server.documents(controller);
    let draft = client
        .create_revision(first_revision(document))
        .await
        .unwrap()
        .into_inner();
    upload(&mut client, &draft.name, "Quy trình.pdf", PDF, b"%PDF-1.4 du thao")
        .await
        .unwrap();
    client
        .submit_revision(SubmitRevisionRequest {
            name: draft.name.clone(),
            reviewers: reviewers.iter().map(|r| r.to_string()).collect(),
            etag: String::new(),
        })
        .await
        .unwrap();
    draft.name
}

async fn state_of(server: &TestServer, token: &str, revision: &str) -> revision::State {
    let got = server
        .documents(token)
        .get_revision(GetRevisionRequest { name: revision.into() })
        .await
        .unwrap()
        .into_inner();
    revision::State::try_from(got.state).unwrap()
}

#[tokio::test]
async fn reviewers_decide_and_the_controller_publishes_from_the_inbox() {
    let server = TestServer::start().await;
    let office = server.education_office().await;
    let (head, _) = server
        .user_with_role("truong.phong", Role::Leader, &office.unit.name)
        .await;
    let (officer, _) = server
        .user_with_role("chuyen.vien", Role::ProcessingOfficer, &office.unit.name)
        .await;
    server.user_with_role("xem", Role::Viewer, &office.unit.name).await;
    let document = server
        .documents(&office.controller)
        .create_document(eiso_tests::documents::counter_procedure(&office.unit.name))
        .await
        .unwrap()
        .into_inner();
    let revision = in_review(
        &server,
        &office.controller,
        &document.name,
        &[&head.name, &officer.name],
    )
    .await;
    let key = revision.trim_start_matches("documents/").replace("/revisions/", "/");

    let mut head_browser = server.browser_of("truong.phong").await;
    let inbox = head_browser.get("/cho-duyet").await;
    assert_eq!(inbox.status, 200);
    assert!(inbox.body.contains(r#"href="/cho-duyet""#), "the menu has the inbox");
    assert!(inbox.body.contains("QT-TTHC-01"), "{}", inbox.body);
    assert!(
        inbox.body.contains("Quy trình.pdf"),
        "the reviewer reads the draft's file"
    );
    let csrf = head_browser.csrf();

    // Disagreeing says what must change; without it the page asks, in Vietnamese.
    let refused = head_browser
        .post(
            &format!("/cho-duyet/{key}/khong-dong-y"),
            &[("csrf", &csrf), ("nhan_xet", " ")],
        )
        .await;
    assert_eq!(refused.status, 200);
    assert!(refused.body.contains("Nhập nhận xét"), "{}", refused.body);
    assert_eq!(
        state_of(&server, &office.controller, &revision).await,
        revision::State::InReview
    );
    let no_csrf = head_browser
        .post(
            &format!("/cho-duyet/{key}/khong-dong-y"),
            &[("nhan_xet", "Thiếu lưu đồ")],
        )
        .await;
    assert_eq!(no_csrf.status, 403);
    let rejected = head_browser
        .post(
            &format!("/cho-duyet/{key}/khong-dong-y"),
            &[("csrf", &csrf), ("nhan_xet", "Bổ sung bước trả kết quả qua bưu chính")],
        )
        .await;
    assert_eq!(rejected.status, 303);
    assert_eq!(rejected.location.as_deref(), Some("/cho-duyet?da=khong-dong-y"));
    assert_eq!(
        state_of(&server, &office.controller, &revision).await,
        revision::State::Draft
    );
    let after = head_browser.get("/cho-duyet?da=khong-dong-y").await;
    assert!(after.body.contains("trở lại người soạn thảo"));
    assert!(!after.body.contains("QT-TTHC-01"), "no longer waiting");

    // Sent again; both agree from the page; the second round is shown.
    server
        .documents(&office.controller)
        .submit_revision(SubmitRevisionRequest {
            name: revision.clone(),
            reviewers: vec![head.name.clone(), officer.name.clone()],
            etag: String::new(),
        })
        .await
        .unwrap();
    let inbox = head_browser.get("/cho-duyet").await;
    assert!(inbox.body.contains("vòng 2"), "{}", inbox.body);
    let agreed = head_browser
        .post(
            &format!("/cho-duyet/{key}/dong-y"),
            &[("csrf", &csrf), ("nhan_xet", "Đồng ý")],
        )
        .await;
    assert_eq!(agreed.status, 303);
    // Deciding twice is refused with the reason, not an error page.
    let twice = head_browser
        .post(&format!("/cho-duyet/{key}/dong-y"), &[("csrf", &csrf)])
        .await;
    assert_eq!(twice.status, 200);
    assert!(twice.body.contains("Bản này vừa thay đổi"), "{}", twice.body);
    let mut officer_browser = server.browser_of("chuyen.vien").await;
    let csrf = officer_browser.csrf();
    // An officer may not publish; the page refuses, and nothing changes.
    let agreed = officer_browser
        .post(&format!("/cho-duyet/{key}/dong-y"), &[("csrf", &csrf)])
        .await;
    assert_eq!(agreed.status, 303);
    assert_eq!(
        state_of(&server, &office.controller, &revision).await,
        revision::State::Approved
    );
    let not_theirs = officer_browser
        .post(&format!("/cho-duyet/{key}/ban-hanh"), &[("csrf", &csrf)])
        .await;
    assert_eq!(not_theirs.status, 403);

    // The controller publishes what was approved.
    let mut controller_browser = server.browser_of("thu.ky").await;
    let inbox = controller_browser.get("/cho-duyet").await;
    assert!(inbox.body.contains("Đã phê duyệt, chờ ban hành"));
    assert!(inbox.body.contains("QT-TTHC-01"), "{}", inbox.body);
    let csrf = controller_browser.csrf();
    let published = controller_browser
        .post(&format!("/cho-duyet/{key}/ban-hanh"), &[("csrf", &csrf)])
        .await;
    assert_eq!(published.status, 303);
    assert_eq!(
        state_of(&server, &office.controller, &revision).await,
        revision::State::Effective
    );

    // A viewer has no inbox in the menu and may not decide.
    let mut viewer = server.browser_of("xem").await;
    assert!(!viewer.get("/").await.body.contains(r#"href="/cho-duyet""#));
    let csrf = viewer.csrf();
    let refused = viewer
        .post(&format!("/cho-duyet/{key}/dong-y"), &[("csrf", &csrf)])
        .await;
    assert_eq!(refused.status, 403);
    server.stop().await;
}

#[tokio::test]
async fn the_inbox_across_documents_lists_only_what_the_caller_may_read() {
    let server = TestServer::start().await;
    let units = server.school_units().await;
    let (office, school) = (&units.office, &units.school);
    let (reviewer, _) = server.user_with_role("hieu.truong", Role::Leader, &school.name).await;
    let secret = server
        .documents(&office.controller)
        .create_document(create(procedure(
            "QT-KL-01",
            "Quy trình xét kỷ luật học sinh",
            &school.name,
            Confidentiality::Restricted,
        )))
        .await
        .unwrap()
        .into_inner();
    let revision = in_review(&server, &office.controller, &secret.name, &[&reviewer.name]).await;
    let in_review_filter = |filter: &str| ListRevisionsRequest {
        parent: "documents/-".into(),
        filter: filter.into(),
        ..Default::default()
    };
    for (who, unit, sees) in units.readers() {
        let (_, token) = server
            .user_with_role(&format!("lanh.dao.{who}"), Role::Leader, unit)
            .await;
        let listed = server
            .documents(&token)
            .list_revisions(in_review_filter("state = STATE_IN_REVIEW"))
            .await
            .unwrap()
            .into_inner()
            .revisions;
        assert_eq!(listed.iter().any(|r| r.name == revision), sees, "{who}");
    }
    let mut reviewing = server.documents(&office.controller);
    let pending = reviewing
        .list_revisions(in_review_filter(&format!("pending_reviewer = \"{}\"", reviewer.name)))
        .await
        .unwrap()
        .into_inner()
        .revisions;
    assert_eq!(
        pending.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        [revision.as_str()]
    );
    let status = reviewing
        .list_revisions(in_review_filter("pending_reviewer = \"nobody\""))
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    let status = reviewing
        .list_revisions(in_review_filter("author = \"x\""))
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    server.stop().await;
}
