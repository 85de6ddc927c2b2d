//! Unit scoping of the quality service beyond the table of `scoping/` (which
//! checks every method for every role bound at S1, at its ancestor D, its
//! descendant S1a and its sibling S2), on the tree of
//! [`crate::scoping_plans`]: the indicator set and the event stream belong to
//! the root unit, and a finding's evidence the caller may not see shows a
//! placeholder.

use eiso_proto::eiso::documents::v1 as docs;
use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::quality::v1::*;
use eiso_tests::TestServer;
use eiso_tests::documents::{create, procedure};
use eiso_tests::values::{date, mask};
use tonic::Code;

use crate::scoping_plans::{Tree, user_with_bindings};

fn link(name: &str) -> EvidenceLink {
    EvidenceLink {
        name: name.into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn the_indicator_set_and_the_event_stream_are_the_root_units() {
    let server = TestServer::start().await;
    let tree = Tree::new(&server).await;
    let (_, district_admin) = server.user_with_role("quan.tri.d", Role::Admin, &tree.d.name).await;
    let mut district = server.quality(&district_admin);
    let indicator = Indicator {
        quadrant: Quadrant::Institutional as i32,
        number: "1.99".into(),
        title: "Chỉ số thử".into(),
        active: true,
        ..Default::default()
    };
    let status = district
        .create_indicator(CreateIndicatorRequest {
            indicator: Some(indicator.clone()),
            indicator_id: "1-99".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied, "{status:?}");
    let mut root = server.quality(&server.admin_token);
    let created = root
        .create_indicator(CreateIndicatorRequest {
            indicator: Some(indicator),
            indicator_id: "1-99".into(),
        })
        .await
        .unwrap()
        .into_inner();
    let status = district
        .update_indicator(UpdateIndicatorRequest {
            indicator: Some(Indicator {
                name: created.name.clone(),
                title: "Đổi tên".into(),
                ..Default::default()
            }),
            update_mask: mask(&["title"]),
            etag: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied, "{status:?}");
    let status = district
        .watch_events(WatchEventsRequest { after_sequence: 0 })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    assert!(
        root.watch_events(WatchEventsRequest { after_sequence: 0 })
            .await
            .is_ok()
    );
    server.stop().await;
}

#[tokio::test]
async fn a_findings_evidence_the_caller_may_not_see_shows_a_placeholder() {
    let server = TestServer::start().await;
    let tree = Tree::new(&server).await;
    let (_, s2_controller) = server
        .user_with_role("thu.ky.s2", Role::DocumentController, &tree.s2.name)
        .await;
    let (_, s1_leader) = server.user_with_role("lanh.dao.s1", Role::Leader, &tree.s1.name).await;
    let (auditor, district_auditor) = server
        .user_with_role("danh.gia.d", Role::InternalAuditor, &tree.d.name)
        .await;
    let (_, s1_viewer) = server.user_with_role("xem.s1", Role::Viewer, &tree.s1.name).await;
    let (_, d_viewer) = server.user_with_role("xem.d", Role::Viewer, &tree.d.name).await;
    // Reads S1 and S2, changes nothing: sees S2's document through the finding.
    let both = user_with_bindings(
        &server,
        "xem.hai",
        &[(Role::Viewer, &tree.s1.name), (Role::Viewer, &tree.s2.name)],
    )
    .await;

    let secret = server
        .documents(&s2_controller)
        .create_document(create(procedure(
            "HS-MAT-02",
            "Biên bản xử lý vi phạm",
            &tree.s2.name,
            docs::Confidentiality::Restricted,
        )))
        .await
        .unwrap()
        .into_inner();
    let mut s1 = server.quality(&s1_leader);
    let programme = s1
        .create_audit_programme(eiso_tests::quality::audit_programme_2024(&tree.s1.name))
        .await
        .unwrap()
        .into_inner();
    let audit = s1
        .create_audit(CreateAuditRequest {
            audit: Some(Audit {
                programme: programme.name.clone(),
                title: "Đánh giá nội bộ".into(),
                scope: "Quy trình tuyển sinh".into(),
                criteria: vec!["7.5".into()],
                auditees: vec![tree.s1.name.clone()],
                auditors: vec![auditor.name.clone()],
                start_date: date(2024, 6, 3),
                end_date: date(2024, 6, 4),
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let mut district = server.quality(&district_auditor);
    district
        .start_audit(StartAuditRequest {
            name: audit.name.clone(),
            etag: String::new(),
            ..Default::default()
        })
        .await
        .unwrap();
    let finding = district
        .create_finding(CreateFindingRequest {
            parent: audit.name.clone(),
            finding: Some(Finding {
                r#type: FindingType::Observation as i32,
                clause: "7.5.3".into(),
                statement: "Biên bản lưu chưa đúng nơi".into(),
                auditee: tree.s1.name.clone(),
                evidence: vec![link(&secret.name)],
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(finding.evidence[0].title.contains("Biên bản xử lý vi phạm"));

    let title = |token: String| {
        let mut client = server.quality(&token);
        let name = finding.name.clone();
        async move {
            client
                .get_finding(GetFindingRequest { name })
                .await
                .unwrap()
                .into_inner()
                .evidence
                .remove(0)
                .title
        }
    };
    assert_eq!(title(s1_viewer.clone()).await, "Tài liệu không có quyền xem");
    assert!(title(d_viewer).await.contains("Biên bản xử lý vi phạm"));
    assert!(title(both).await.contains("Biên bản xử lý vi phạm"));
    let listed = server
        .quality(&s1_viewer)
        .list_findings(ListFindingsRequest {
            parent: audit.name.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.findings[0].evidence[0].title, "Tài liệu không có quyền xem");
    server.stop().await;
}
