//! Bad input gets the right code and names the field; nothing panics.

use eiso_proto::eiso::identity::v1::*;
use eiso_tests::TestServer;
use eiso_tests::values::{bad_fields, mask};
use tonic::Code;
use tonic_types::StatusExt;

#[tokio::test]
async fn invalid_requests_name_their_fields() {
    let server = TestServer::start().await;
    let mut admin = server.admin();

    // Empty required fields: every violation at once.
    let status = admin.create_unit(CreateUnitRequest::default()).await.unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["unit.code", "unit.display_name", "unit.kind"]);

    // Oversized strings, unknown enum values, malformed references.
    let status = admin
        .create_unit(CreateUnitRequest {
            unit: Some(Unit {
                code: "x".repeat(33),
                display_name: "Đ".repeat(201),
                kind: 999,
                parent: "schools/1".into(),
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(bad_fields(&status), ["unit.code", "unit.display_name", "unit.kind"]);
    let status = admin
        .create_unit(CreateUnitRequest {
            unit: Some(Unit {
                code: "OK".into(),
                display_name: "Tên".into(),
                kind: 4,
                parent: "schools/1".into(),
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(bad_fields(&status), ["unit.parent"]);

    // Malformed and missing names.
    for name in ["", "units/", "units/UPPER", "users/abc", "units/a/b"] {
        let status = admin.get_unit(GetUnitRequest { name: name.into() }).await.unwrap_err();
        assert_eq!(status.code(), Code::InvalidArgument, "{name:?}");
        assert_eq!(bad_fields(&status), ["name"], "{name:?}");
    }
    let status = admin
        .get_unit(GetUnitRequest {
            name: "units/does-not-exist".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::NotFound);

    // Users: username rules, short passwords, unknown roles.
    let status = admin
        .create_user(CreateUserRequest {
            user: Some(User {
                username: "Nguyễn Văn A".into(),
                display_name: "Nguyễn Văn A".into(),
                role_bindings: vec![RoleBinding {
                    role: 42,
                    unit: "units/x".into(),
                }],
                ..Default::default()
            }),
            password: "short".into(),
            request_id: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(bad_fields(&status), ["user.username", "password"]);
    let status = admin
        .create_user(CreateUserRequest {
            user: Some(User {
                username: "an.nv".into(),
                display_name: "Nguyễn Văn An".into(),
                role_bindings: vec![RoleBinding {
                    role: 42,
                    unit: "units/x".into(),
                }],
                ..Default::default()
            }),
            password: "long enough password".into(),
            request_id: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(bad_fields(&status), ["user.role_bindings[0].role"]);

    // Filters, order and page tokens are checked too.
    let status = admin
        .list_units(ListUnitsRequest {
            filter: "password = x".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(bad_fields(&status), ["filter"]);
    let status = admin
        .list_units(ListUnitsRequest {
            order_by: "secret".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(bad_fields(&status), ["order_by"]);
    let status = admin
        .list_units(ListUnitsRequest {
            page_token: "forged".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(bad_fields(&status), ["page_token"]);
    let status = admin
        .list_units(ListUnitsRequest {
            page_size: -5,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(bad_fields(&status), ["page_size"]);

    // Update without a mask, or with a field that cannot change.
    let unit = server.create_unit("M", "Mới", "").await;
    let status = admin
        .update_unit(UpdateUnitRequest {
            unit: Some(unit.clone()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(bad_fields(&status), ["update_mask"]);
    let status = admin
        .update_unit(UpdateUnitRequest {
            unit: Some(unit.clone()),
            update_mask: mask(&["state"]),
            etag: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(bad_fields(&status), ["update_mask"]);
    server.stop().await;
}

#[tokio::test]
async fn conflicts_get_their_own_codes() {
    let server = TestServer::start().await;
    let mut admin = server.admin();
    let unit = server.create_unit("DUP", "Một", "").await;

    let status = admin
        .create_unit(CreateUnitRequest {
            unit: Some(Unit {
                code: "DUP".into(),
                display_name: "Hai".into(),
                kind: 4,
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::AlreadyExists);
    assert!(status.message().contains("DUP"), "{}", status.message());

    // A stale etag is refused: no lost update.
    let renamed = admin
        .update_unit(UpdateUnitRequest {
            unit: Some(Unit {
                display_name: "Một (sửa)".into(),
                ..unit.clone()
            }),
            update_mask: mask(&["display_name"]),
            etag: unit.etag.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_ne!(renamed.etag, unit.etag);
    let status = admin
        .update_unit(UpdateUnitRequest {
            unit: Some(Unit {
                display_name: "Ghi đè".into(),
                ..unit.clone()
            }),
            update_mask: mask(&["display_name"]),
            etag: unit.etag.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Aborted);

    // Dissolving a unit with children needs a successor: the reason says so.
    let child = server.create_unit("CHILD", "Con", &unit.name).await;
    let status = admin
        .dissolve_unit(DissolveUnitRequest {
            name: unit.name.clone(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::FailedPrecondition);
    let precondition = status.get_error_details();
    let violation = &precondition.precondition_failure().unwrap().violations[0];
    assert_eq!(violation.r#type, "UNIT_HAS_CHILDREN");
    assert_eq!(violation.subject, unit.name);
    let _ = child;
    server.stop().await;
}

#[tokio::test]
async fn decomposed_vietnamese_is_stored_composed() {
    let server = TestServer::start().await;
    // "Trường Tiểu học" typed on a Mac arrives decomposed (NFD).
    let nfd = "Tru\u{31b}o\u{31b}\u{300}ng Tie\u{302}\u{309}u ho\u{323}c";
    let unit = server.create_unit("NFD", nfd, "").await;
    assert_eq!(unit.display_name, "Trường Tiểu học");
    server.stop().await;
}
