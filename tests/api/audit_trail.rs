//! The hash-chained audit trail: every change is recorded, tampering with
//! a stored row is found, and the API offers no way to change an entry.

use eiso_proto::eiso::audit::v1::{ListAuditEntriesRequest, ListAuditTrailsRequest, VerifyAuditTrailRequest};
use eiso_proto::eiso::identity::v1::RenameUnitRequest;
use eiso_tests::TestServer;
use sea_orm::ConnectionTrait;

async fn verify(server: &TestServer) -> eiso_proto::eiso::audit::v1::VerifyAuditTrailResponse {
    server.verify_trail("trails/identity").await
}

#[tokio::test]
async fn changes_are_recorded_with_who_what_and_why() {
    let server = TestServer::start().await;
    let unit = server.create_unit("PGD", "Phòng GD&ĐT", "").await;
    let mut request = tonic::Request::new(RenameUnitRequest {
        name: unit.name.clone(),
        display_name: "Phòng Văn hóa - Xã hội".into(),
        reason: String::new(),
        ..Default::default()
    });
    // The reason travels as UTF-8 binary metadata.
    request.metadata_mut().insert_bin(
        "eiso-reason-bin",
        tonic::metadata::MetadataValue::from_bytes("Nghị định 142/2025/NĐ-CP".as_bytes()),
    );
    server.admin().rename_unit(request).await.unwrap();

    let entries = server
        .audit_entries("trails/identity", &format!("resource = \"{}\"", unit.name))
        .await;
    let methods: Vec<_> = entries
        .iter()
        .map(|e| e.method.rsplit('/').next().unwrap().to_string())
        .collect();
    assert_eq!(methods, ["CreateUnit", "RenameUnit"]);
    let admin = server
        .admin()
        .who_am_i(eiso_proto::eiso::identity::v1::WhoAmIRequest {})
        .await
        .unwrap()
        .into_inner();
    assert!(entries.iter().all(|e| e.actor == admin.principal && e.code == 0));
    assert_eq!(entries[1].reason, "Nghị định 142/2025/NĐ-CP");
    assert_eq!(entries[1].previous_hash.len(), 64);
    server.stop().await;
}

#[tokio::test]
async fn tampering_with_a_stored_entry_is_found() {
    let server = TestServer::start().await;
    for i in 0..5 {
        server
            .create_unit(&format!("U{i}"), &format!("Trường số {i}"), "")
            .await;
    }
    let before = verify(&server).await;
    assert!(before.intact, "{before:?}");
    assert!(before.entries_checked >= 6, "{before:?}");

    // Someone with database access rewrites who made entry 3.
    let raw = server.backend.as_ref().unwrap().connect_raw("identity").await;
    raw.execute_unprepared("UPDATE audit_entries SET actor = 'users/someone-else' WHERE sequence = 3")
        .await
        .unwrap();
    let after = verify(&server).await;
    assert!(!after.intact);
    assert_eq!(after.first_broken_sequence, 3, "{after:?}");
    assert!(after.detail.contains("hash"), "{after:?}");

    // Putting it back heals the chain; deleting the last entry breaks it again.
    raw.execute_unprepared(
        "UPDATE audit_entries SET actor = (SELECT actor FROM audit_entries WHERE sequence = 4) WHERE sequence = 3",
    )
    .await
    .unwrap();
    assert!(verify(&server).await.intact);
    let last = before.entries_checked;
    raw.execute_unprepared(&format!("DELETE FROM audit_entries WHERE sequence = {last}"))
        .await
        .unwrap();
    let truncated = verify(&server).await;
    assert!(!truncated.intact);
    assert_eq!(truncated.first_broken_sequence, last, "{truncated:?}");

    // A deleted entry in the middle is found at its place.
    raw.execute_unprepared("DELETE FROM audit_entries WHERE sequence = 2")
        .await
        .unwrap();
    assert_eq!(verify(&server).await.first_broken_sequence, 2);
    raw.close().await.unwrap();
    server.stop().await;
}

#[tokio::test]
async fn the_api_offers_no_way_to_change_an_entry() {
    let methods = eiso_proto::all_methods().unwrap();
    let audit: Vec<_> = methods.iter().filter(|m| m.starts_with("/eiso.audit.")).collect();
    assert_eq!(audit.len(), 3, "{audit:?}");
    assert!(audit.iter().all(|m| {
        m.ends_with("/ListAuditEntries") || m.ends_with("/VerifyAuditTrail") || m.ends_with("/ListAuditTrails")
    }));
}

#[tokio::test]
async fn every_service_audit_trail_is_listed_and_verifies() {
    let server = TestServer::start().await;
    server.create_unit("PGD", "Phòng GD&ĐT", "").await;
    let mut audit = server.audit(Some(&server.admin_token));
    let trails = audit
        .list_audit_trails(ListAuditTrailsRequest {})
        .await
        .unwrap()
        .into_inner()
        .audit_trails;
    let names: Vec<&str> = trails.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "trails/documents",
            "trails/identity",
            "trails/plans",
            "trails/procedures",
            "trails/quality"
        ]
    );
    for trail in &trails {
        let verified = audit
            .verify_audit_trail(VerifyAuditTrailRequest {
                name: trail.name.clone(),
            })
            .await
            .unwrap()
            .into_inner();
        assert!(verified.intact, "{}: {verified:?}", trail.name);
    }
    server.stop().await;
}

#[tokio::test]
async fn audit_entries_page_without_gaps() {
    let server = TestServer::start().await;
    for i in 0..7 {
        server.create_unit(&format!("P{i}"), &format!("Đơn vị {i}"), "").await;
    }
    let all = |order_by: &'static str| {
        let server = &server;
        async move {
            let mut seen = Vec::new();
            let mut token = String::new();
            loop {
                let page = server
                    .audit(Some(&server.admin_token))
                    .list_audit_entries(ListAuditEntriesRequest {
                        parent: "trails/identity".into(),
                        page_size: 3,
                        page_token: token.clone(),
                        order_by: order_by.into(),
                        ..Default::default()
                    })
                    .await
                    .unwrap()
                    .into_inner();
                seen.extend(page.audit_entries.iter().map(|e| e.sequence));
                if page.next_page_token.is_empty() {
                    break;
                }
                token = page.next_page_token;
            }
            seen
        }
    };
    let seen = all("").await;
    let expected: Vec<i64> = (1..=seen.len() as i64).collect();
    assert_eq!(seen, expected);
    assert!(seen.len() >= 8);
    // Newest first: the same entries the other way round, pages without gaps.
    let newest_first = all("sequence desc").await;
    assert_eq!(newest_first, expected.iter().rev().copied().collect::<Vec<_>>());

    // A token belongs to its order; an order that is not the trail's is refused by name.
    let first = server
        .audit(Some(&server.admin_token))
        .list_audit_entries(ListAuditEntriesRequest {
            parent: "trails/identity".into(),
            page_size: 3,
            order_by: "sequence desc".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let other_order = server
        .audit(Some(&server.admin_token))
        .list_audit_entries(ListAuditEntriesRequest {
            parent: "trails/identity".into(),
            page_size: 3,
            page_token: first.next_page_token,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(other_order.code(), tonic::Code::InvalidArgument);
    let bad = server
        .audit(Some(&server.admin_token))
        .list_audit_entries(ListAuditEntriesRequest {
            parent: "trails/identity".into(),
            order_by: "actor".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(bad.code(), tonic::Code::InvalidArgument);
    assert!(bad.message().contains("order_by"), "{}", bad.message());
    server.stop().await;
}

/// A trail verified while it is written to is intact: entries appended
/// between reading the entries and reading the head are read, not taken for
/// entries removed from the end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trail_verified_while_it_is_written_to_is_intact() {
    let server = TestServer::start().await;
    let root = server.root_unit().await;
    let writing = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let mut writers = Vec::new();
    for writer in 0..2 {
        let (admin, root, writing) = (server.admin(), root.name.clone(), writing.clone());
        writers.push(tokio::spawn(async move {
            let mut admin = admin;
            let mut written = 0;
            while writing.load(std::sync::atomic::Ordering::SeqCst) {
                admin
                    .create_unit(eiso_proto::eiso::identity::v1::CreateUnitRequest {
                        unit: Some(eiso_proto::eiso::identity::v1::Unit {
                            code: format!("W{writer}-{written}"),
                            display_name: format!("Tổ {writer}-{written}"),
                            kind: eiso_proto::eiso::identity::v1::UnitKind::Office as i32,
                            parent: root.clone(),
                            ..Default::default()
                        }),
                        request_id: String::new(),
                    })
                    .await
                    .unwrap();
                written += 1;
            }
            written
        }));
    }
    let mut verified = Vec::new();
    for _ in 0..40 {
        let verification = verify(&server).await;
        assert!(verification.intact, "{verification:?}");
        verified.push(verification.entries_checked);
    }
    writing.store(false, std::sync::atomic::Ordering::SeqCst);
    let mut written = 0;
    for writer in writers {
        written += writer.await.unwrap();
    }
    // The verifications ran among the writes, not after them.
    assert!(
        written > 0 && verified.first() < verified.last(),
        "{written} written; {verified:?}"
    );
    assert!(verify(&server).await.intact);
    server.stop().await;
}
