//! Users, sign-in and machine clients.

use eiso_proto::eiso::identity::v1::*;
use eiso_tests::TestServer;
use eiso_tests::values::mask;
use tonic::Code;

#[tokio::test]
async fn sign_in_whoami_and_disable() {
    let server = TestServer::start().await;
    let root = server.root_unit().await;
    let (user, token) = server
        .user_with_role("thu.ky", Role::DocumentController, &root.name)
        .await;
    let me = server
        .identity(Some(&token))
        .who_am_i(WhoAmIRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(me.principal, user.name);
    assert_eq!(me.username, "thu.ky");
    assert_eq!(
        me.role_bindings,
        vec![RoleBinding {
            role: Role::DocumentController as i32,
            unit: root.name.clone()
        }]
    );

    // Wrong password: the same answer as an unknown user.
    let wrong = server.login("thu.ky", "not the password").await.unwrap_err();
    let unknown = server.login("nobody", "not the password").await.unwrap_err();
    assert_eq!(wrong.code(), Code::Unauthenticated);
    assert_eq!(wrong.message(), unknown.message());
    // Each attempt is in the audit trail once, with the name that was tried.
    let failed = server
        .audit_entries("trails/identity", &format!("code = {}", Code::Unauthenticated as i32))
        .await;
    let tried: Vec<_> = failed.iter().map(|e| e.resource.as_str()).collect();
    assert_eq!(tried, ["username:thu.ky", "username:nobody"]);

    // Disabling the account stops its token at once, not at expiry.
    server
        .admin()
        .update_user(eiso_tests::disable_user(&user))
        .await
        .unwrap();
    let status = server
        .identity(Some(&token))
        .who_am_i(WhoAmIRequest {})
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
    assert_eq!(
        server.login("thu.ky", "thu.ky-password").await.unwrap_err().code(),
        Code::Unauthenticated
    );
    server.stop().await;
}

#[tokio::test]
async fn repeated_failures_lock_the_account_for_a_while() {
    let server = TestServer::start().await;
    for _ in 0..5 {
        assert_eq!(
            server.login("admin", "wrong password!").await.unwrap_err().code(),
            Code::Unauthenticated
        );
    }
    let status = server.login("admin", eiso_tests::ADMIN_PASSWORD).await.unwrap_err();
    assert_eq!(status.code(), Code::ResourceExhausted);
    server.stop().await;
}

#[tokio::test]
async fn passwords_change_with_the_current_one_or_by_an_admin() {
    let server = TestServer::start().await;
    let root = server.root_unit().await;
    let (user, token) = server.user_with_role("can.bo", Role::CounterStaff, &root.name).await;
    let (other, _) = server.user_with_role("khac", Role::CounterStaff, &root.name).await;
    let mut own = server.identity(Some(&token));

    let status = own
        .set_user_password(SetUserPasswordRequest {
            name: user.name.clone(),
            current_password: "wrong".into(),
            new_password: "mật khẩu mới đủ dài".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    own.set_user_password(SetUserPasswordRequest {
        name: user.name.clone(),
        current_password: "can.bo-password".into(),
        new_password: "mật khẩu mới đủ dài".into(),
    })
    .await
    .unwrap();
    server.login("can.bo", "mật khẩu mới đủ dài").await.unwrap();

    // Not someone else's.
    let status = own
        .set_user_password(SetUserPasswordRequest {
            name: other.name.clone(),
            current_password: String::new(),
            new_password: "another long password".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    // An administrator can.
    server
        .admin()
        .set_user_password(SetUserPasswordRequest {
            name: other.name.clone(),
            current_password: String::new(),
            new_password: "reset by the admin".into(),
        })
        .await
        .unwrap();
    server.login("khac", "reset by the admin").await.unwrap();
    server.stop().await;
}

#[tokio::test]
async fn the_last_administrator_cannot_be_removed() {
    let server = TestServer::start().await;
    let me = server.admin().who_am_i(WhoAmIRequest {}).await.unwrap().into_inner();
    let admin = server
        .admin()
        .get_user(GetUserRequest {
            name: me.principal.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    let status = server
        .admin()
        .update_user(UpdateUserRequest {
            user: Some(User {
                role_bindings: vec![],
                ..admin.clone()
            }),
            update_mask: mask(&["role_bindings"]),
            etag: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::FailedPrecondition);
    server.stop().await;
}

#[tokio::test]
async fn machine_clients_sign_in_until_revoked() {
    let server = TestServer::start().await;
    let root = server.root_unit().await;
    let created = server
        .admin()
        .create_api_client(CreateApiClientRequest {
            api_client: Some(ApiClient {
                display_name: "Hệ thống một cửa điện tử tỉnh".into(),
                role_bindings: vec![RoleBinding {
                    role: Role::Viewer as i32,
                    unit: root.name.clone(),
                }],
                ..Default::default()
            }),
            request_id: "client-1".into(),
        })
        .await
        .unwrap()
        .into_inner();
    let signed_in = server
        .login_client(&created.client_id, &created.client_secret)
        .await
        .unwrap();
    assert_eq!(signed_in.principal, created.api_client.as_ref().unwrap().name);
    let units = server
        .identity(Some(&signed_in.access_token))
        .list_units(ListUnitsRequest::default())
        .await
        .unwrap();
    assert!(!units.into_inner().units.is_empty());
    let wrong = server.login_client(&created.client_id, "wrong").await;
    assert_eq!(wrong.unwrap_err().code(), Code::Unauthenticated);

    server
        .admin()
        .revoke_api_client(RevokeApiClientRequest {
            name: signed_in.principal.clone(),
            reason: "hệ thống ngừng kết nối".into(),
        })
        .await
        .unwrap();
    let revoked = server.login_client(&created.client_id, &created.client_secret).await;
    assert_eq!(revoked.unwrap_err().code(), Code::Unauthenticated);
    let status = server
        .identity(Some(&signed_in.access_token))
        .list_units(ListUnitsRequest::default())
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
    server.stop().await;
}

#[tokio::test]
async fn an_administrator_of_a_unit_manages_only_what_is_below_it() {
    let server = TestServer::start().await;
    let root = server.root_unit().await;
    let ward = server.create_unit("W1", "Phường Đằng Lâm", &root.name).await;
    let school = server
        .create_unit("W1-TH", "Trường Tiểu học Đằng Lâm", &ward.name)
        .await;
    let other = server.create_unit("W2", "Phường Cát Bi", &root.name).await;
    let (_, token) = server.user_with_role("qtv.danglam", Role::Admin, &ward.name).await;
    let mut ward_admin = server.identity(Some(&token));

    // Inside the ward: a unit and a user.
    let class = ward_admin
        .create_unit(CreateUnitRequest {
            unit: Some(Unit {
                code: "W1-MN".into(),
                display_name: "Trường Mầm non".into(),
                kind: 6,
                parent: ward.name.clone(),
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    ward_admin
        .create_user(eiso_tests::new_user(
            "gv.an",
            "Giáo viên An",
            &[(Role::Viewer, &school.name)],
            "mật khẩu đủ dài",
        ))
        .await
        .unwrap();
    assert_eq!(class.parent, ward.name);

    // Outside it: refused, naming the unit.
    let status = ward_admin
        .create_user(eiso_tests::new_user(
            "gv.binh",
            "Giáo viên Bình",
            &[(Role::Viewer, &other.name)],
            "mật khẩu đủ dài",
        ))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    assert!(status.message().contains(&other.name), "{}", status.message());
    let status = ward_admin
        .rename_unit(RenameUnitRequest {
            name: other.name.clone(),
            display_name: "Đổi".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    // A new root needs a system administrator.
    let status = ward_admin
        .create_unit(CreateUnitRequest {
            unit: Some(Unit {
                code: "NEWROOT".into(),
                display_name: "Gốc mới".into(),
                kind: 1,
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    // The system administrator (bound to the root) reaches everywhere.
    server.create_unit("W2-TH", "Trường Tiểu học Cát Bi", &other.name).await;
    server.stop().await;
}
