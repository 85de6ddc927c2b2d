//! The identity side of a split process (issue 13): `eiso-remote`'s
//! directory and token verifier asking a real server over gRPC, as a search
//! replica that hosts only search would. Their answers are compared with the
//! in-process ones (identity's own API over the same storage), question by
//! question, and with what the test built.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use eiso_identity::{Identity, IdentityVerifier};
use eiso_platform::clock::Clock;
use eiso_platform::db::{Db, StorageTarget};
use eiso_platform::directory::{Directory, DirectoryUnit, DirectoryUser};
use eiso_platform::gateway::TokenVerifier;
use eiso_platform::{Journal, Principal, ServiceError};
use eiso_proto::eiso::audit::v1::ListAuditEntriesRequest;
use eiso_proto::eiso::identity::v1::*;
use eiso_remote::{RemoteDirectory, RemoteVerifier, Upstream, UpstreamConfig};
use eiso_tests::TestServer;
use eiso_tests::values::mask;
use tonic::Code;

/// An API client with a viewer's role at the root, as a replica's service
/// identity; the upstream configuration that signs in as it, and its name.
async fn service_identity(server: &TestServer) -> (UpstreamConfig, String) {
    let created = server.root_api_client("Bản sao tìm kiếm", &[Role::Viewer]).await;
    let config = UpstreamConfig::new(format!("http://{}", server.addr))
        .with_service_identity(created.client_id.clone(), created.client_secret);
    (config, created.api_client.unwrap().name)
}

fn upstream(config: &UpstreamConfig) -> Arc<Upstream> {
    Arc::new(Upstream::new(config).unwrap())
}

/// Identity's public Rust API over the server's own storage: what the
/// in-process directory (`eiso-server`'s adapter) and verifier answer.
async fn in_process(server: &TestServer) -> (Identity, Arc<IdentityVerifier>, Db) {
    let target = StorageTarget::for_service(&server.config, eiso_identity::SERVICE_NAME);
    let db = Db::open::<eiso_migrations::identity::Migrator>(&target, &server.config)
        .await
        .unwrap();
    let signer = eiso_identity::load_signer(&db).await.unwrap();
    let verifier = Arc::new(IdentityVerifier::new(signer, db.clone()));
    let ttl = chrono::Duration::seconds(server.config.token_ttl_seconds as i64);
    let identity = Identity::new(Journal::new(db.clone()), verifier.clone(), ttl);
    (identity, verifier, db)
}

fn summary_user(user: eiso_identity::UserSummary) -> DirectoryUser {
    DirectoryUser {
        name: user.name,
        display_name: user.display_name,
        active: user.active,
    }
}

fn summary_unit(unit: eiso_identity::UnitSummary) -> DirectoryUnit {
    DirectoryUnit {
        name: unit.name,
        code: unit.code,
        display_name: unit.display_name,
        active: unit.active,
        place_name: unit.place_name,
        letterhead: unit.letterhead,
    }
}

fn sorted(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names
}

/// Asks `remote` and the in-process directory every question about `users`
/// and `units`, and requires the same answers (a subtree's order below its
/// root is not part of the answer).
async fn same_answers(remote: &dyn Directory, local: &Identity, users: &[&str], units: &[&str]) {
    for &name in users {
        let expected = local.user_summary(name).await.unwrap().map(summary_user);
        assert_eq!(remote.user(name).await.unwrap(), expected, "user({name})");
        let expected = local.user_bindings(name).await.unwrap();
        assert_eq!(remote.bindings(name).await.unwrap(), expected, "bindings({name})");
    }
    let kind_sets: [&[UnitKind]; 4] = [
        &[UnitKind::Office],
        &[UnitKind::PrimarySchool],
        &[
            UnitKind::PrimarySchool,
            UnitKind::LowerSecondarySchool,
            UnitKind::Office,
        ],
        &[],
    ];
    for &name in units {
        let expected = local.unit_summary(name).await.unwrap().map(summary_unit);
        assert_eq!(remote.unit(name).await.unwrap(), expected, "unit({name})");
        let expected = local.unit_ancestors(name).await.unwrap();
        assert_eq!(remote.ancestors(name).await.unwrap(), expected, "ancestors({name})");
        let expected = local.unit_subtree(name).await.unwrap();
        let answered = remote.subtree(name).await.unwrap();
        assert_eq!(answered.first(), expected.first(), "subtree({name}) starts at the unit");
        assert_eq!(sorted(answered), sorted(expected), "subtree({name})");
        for kinds in kind_sets {
            let expected = local.units_of_kinds(name, kinds).await.unwrap();
            assert_eq!(
                remote.units_of_kinds(name, kinds).await.unwrap(),
                expected,
                "units_of_kinds({name}, {kinds:?})"
            );
        }
        let expected: Vec<_> = local
            .users_within(name)
            .await
            .unwrap()
            .into_iter()
            .map(summary_user)
            .collect();
        assert_eq!(
            remote.users_in_unit(name).await.unwrap(),
            expected,
            "users_in_unit({name})"
        );
    }
}

async fn rename_user(server: &TestServer, user: &User, display_name: &str) -> User {
    server
        .admin()
        .update_user(UpdateUserRequest {
            user: Some(User {
                display_name: display_name.into(),
                ..user.clone()
            }),
            update_mask: mask(&["display_name"]),
            etag: String::new(),
        })
        .await
        .unwrap()
        .into_inner()
}

fn names(users: &[DirectoryUser]) -> Vec<&str> {
    users.iter().map(|u| u.display_name.as_str()).collect()
}

#[tokio::test]
async fn the_remote_directory_answers_what_the_in_process_one_answers() {
    let server = TestServer::start().await;
    let tree = server.office_with_neighbours().await;
    let mut admin = server.admin();
    // The office dates its documents at its place and signs as its head;
    // the team below inherits the place.
    let office = admin
        .update_unit(UpdateUnitRequest {
            unit: Some(Unit {
                place_name: "Hải An".into(),
                document_symbol: "PGDĐT".into(),
                signer_title: "TRƯỞNG PHÒNG".into(),
                signer_name: "Nguyễn Thị Minh Thu".into(),
                ..tree.office.clone()
            }),
            update_mask: mask(&["place_name", "document_symbol", "signer_title", "signer_name"]),
            etag: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let school = server
        .create_unit_of_kind("TH-LL", "Trường Tiểu học Lê Lợi", UnitKind::PrimarySchool, &office.name)
        .await;
    let school_below = server
        .create_unit_of_kind(
            "TH-AD",
            "Trường Tiểu học An Dương",
            UnitKind::PrimarySchool,
            &tree.below.name,
        )
        .await;
    let dissolved = server
        .create_unit_of_kind("TH-CU", "Trường Tiểu học Cũ", UnitKind::PrimarySchool, &office.name)
        .await;
    admin
        .dissolve_unit(DissolveUnitRequest {
            name: dissolved.name.clone(),
            successor: String::new(),
            reason: "giải thể".into(),
            etag: String::new(),
        })
        .await
        .unwrap();

    // People with Vietnamese names, so that the order is the database's.
    let (officer, officer_token) = server
        .user_with_role("chuyen.vien", Role::ProcessingOfficer, &office.name)
        .await;
    let officer = rename_user(&server, &officer, "Đặng Thu Hà").await;
    let (clerk, _) = server
        .user_with_role("mot.cua", Role::CounterStaff, &tree.below.name)
        .await;
    let clerk = rename_user(&server, &clerk, "Lê Văn An").await;
    let (teacher, _) = server
        .user_with_bindings(
            "giao.vien",
            &[(Role::Viewer, &school_below.name), (Role::Leader, &school.name)],
        )
        .await;
    let teacher = rename_user(&server, &teacher, "Bùi Minh Châu").await;
    let (neighbour, _) = server.user_with_role("tu.phap", Role::Viewer, &tree.sibling.name).await;
    let (gone, _) = server.user_with_role("da.nghi", Role::Viewer, &office.name).await;
    admin.update_user(eiso_tests::disable_user(&gone)).await.unwrap();
    let me = admin.who_am_i(WhoAmIRequest {}).await.unwrap().into_inner();

    let (config, _) = service_identity(&server).await;
    let upstream = upstream(&config);
    let (local, local_verifier, db) = in_process(&server).await;
    // Taking the tree for every question: each answer is today's.
    let remote = RemoteDirectory::new(upstream.clone()).with_tree_ttl(Duration::ZERO);

    let users = [
        officer.name.as_str(),
        clerk.name.as_str(),
        teacher.name.as_str(),
        neighbour.name.as_str(),
        gone.name.as_str(),
        me.principal.as_str(),
        "users/khong-co",
        "users/NOT-A-NAME",
        "units/x",
        "",
    ];
    let units = [
        tree.root.name.as_str(),
        office.name.as_str(),
        tree.below.name.as_str(),
        tree.sibling.name.as_str(),
        school.name.as_str(),
        school_below.name.as_str(),
        dissolved.name.as_str(),
        "units/khong-co",
        "units/Not A Name",
        "users/x",
        "",
    ];
    same_answers(&remote, &local, &users, &units).await;

    // And they are what the test built, not merely the same.
    assert_eq!(
        remote.ancestors(&school_below.name).await.unwrap(),
        [
            school_below.name.as_str(),
            tree.below.name.as_str(),
            office.name.as_str(),
            tree.root.name.as_str()
        ]
    );
    assert_eq!(
        sorted(remote.subtree(&office.name).await.unwrap()),
        sorted(vec![
            office.name.clone(),
            tree.below.name.clone(),
            school.name.clone(),
            school_below.name.clone(),
            dissolved.name.clone()
        ])
    );
    assert_eq!(
        remote
            .units_of_kinds(&tree.root.name, &[UnitKind::PrimarySchool])
            .await
            .unwrap(),
        [school_below.name.as_str(), school.name.as_str()],
        "active schools by name: An Dương, Lê Lợi; the dissolved one is not"
    );
    let below = remote.unit(&tree.below.name).await.unwrap().unwrap();
    assert_eq!(below.place_name, "Hải An", "inherited from the office");
    assert_eq!(
        below.letterhead.signer_title(),
        "THỦ TRƯỞNG ĐƠN VỊ",
        "its own, not inherited"
    );
    let office_unit = remote.unit(&office.name).await.unwrap().unwrap();
    assert_eq!(office_unit.letterhead.number(15, "BC"), "15/BC-PGDĐT");
    assert!(!remote.unit(&dissolved.name).await.unwrap().unwrap().active);
    let mut staff = names(&remote.users_in_unit(&office.name).await.unwrap())
        .into_iter()
        .map(str::to_string)
        .collect::<Vec<_>>();
    staff.sort();
    assert_eq!(
        staff,
        ["Bùi Minh Châu", "Lê Văn An", "Đặng Thu Hà"],
        "not the disabled, not the neighbour"
    );
    assert_eq!(
        remote.bindings(&teacher.name).await.unwrap(),
        local.user_bindings(&teacher.name).await.unwrap()
    );
    assert_eq!(remote.bindings(&teacher.name).await.unwrap().len(), 2);
    assert!(!remote.user(&gone.name).await.unwrap().unwrap().active);

    // A unit made after a directory took its snapshot is known at once.
    let cached = RemoteDirectory::new(upstream.clone());
    assert_eq!(cached.subtree(&tree.below.name).await.unwrap().len(), 2);
    let team = server
        .create_unit("PGD-TO-2", "Tổ Chuyên môn", &school_below.name)
        .await;
    assert_eq!(
        cached.ancestors(&team.name).await.unwrap(),
        local.unit_ancestors(&team.name).await.unwrap()
    );
    assert_eq!(cached.ancestors(&team.name).await.unwrap().len(), 5);
    assert_eq!(
        cached.unit(&team.name).await.unwrap(),
        local.unit_summary(&team.name).await.unwrap().map(summary_unit)
    );
    assert_eq!(cached.subtree(&team.name).await.unwrap(), [team.name.as_str()]);
    same_answers(&remote, &local, &users, &[team.name.as_str(), tree.below.name.as_str()]).await;

    // identity's new filter refuses what is not a unit's name.
    let status = admin
        .list_users(ListUsersRequest {
            filter: "within_unit = \"garbage\"".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);

    // The verifier: the principal the server sees, for a user, the
    // administrator and a machine client.
    let verifier = RemoteVerifier::new(upstream.clone());
    let client_token = server
        .login_client(config.client_id(), config.client_secret.expose())
        .await
        .unwrap()
        .access_token;
    for token in [&officer_token, &server.admin_token, &client_token] {
        let remote_principal = verifier.verify(token).await.unwrap();
        let local_principal = local_verifier.verify(token).await.unwrap();
        assert_eq!(remote_principal, local_principal);
        let seen = server
            .identity(Some(token))
            .who_am_i(WhoAmIRequest {})
            .await
            .unwrap()
            .into_inner();
        assert_eq!(remote_principal.name, seen.principal);
        assert_eq!(remote_principal.username, seen.username);
        assert_eq!(remote_principal.display_name, seen.display_name);
        assert_eq!(
            Some(eiso_platform::journal::timestamp(remote_principal.expire_time)),
            seen.expire_time
        );
        assert_eq!(
            Some(eiso_platform::journal::timestamp(remote_principal.issue_time)),
            seen.issue_time
        );
        let bindings: Vec<_> = remote_principal
            .bindings
            .iter()
            .map(|(role, unit)| RoleBinding {
                role: *role as i32,
                unit: unit.clone(),
            })
            .collect();
        assert_eq!(bindings, seen.role_bindings);
    }
    let officer_principal = verifier.verify(&officer_token).await.unwrap();
    assert_eq!(officer_principal.display_name, "Đặng Thu Hà");
    assert_eq!(officer_principal.username, "chuyen.vien");
    assert_eq!(
        officer_principal.bindings,
        [(Role::ProcessingOfficer, office.name.clone())]
    );
    assert!(officer_principal.issue_time < officer_principal.expire_time);
    for garbage in ["garbage", "a.b.c", &format!("{officer_token}x")] {
        let status = verifier.verify(garbage).await.unwrap_err();
        assert_eq!(status.code(), Code::Unauthenticated, "{garbage}: {status:?}");
    }

    // With the server gone, identity is unavailable, not the caller unknown.
    db.close().await;
    server.stop().await;
    let status = RemoteVerifier::new(upstream.clone())
        .verify(&officer_token)
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unavailable, "{status:?}");
    let error = remote.user(&officer.name).await.unwrap_err();
    assert!(matches!(error, ServiceError::Unavailable(_)), "{error:?}");
    let error = remote.ancestors(&office.name).await.unwrap_err();
    assert!(matches!(error, ServiceError::Unavailable(_)), "{error:?}");
    // A principal already checked is still served from the cache.
    assert_eq!(verifier.verify(&officer_token).await.unwrap(), officer_principal);
}

/// How many times `client` signed in, by the server's audit trail (asked
/// with a fresh token: the tokens of this server do not last).
async fn sign_ins(server: &TestServer, client: &str) -> usize {
    let token = server.login("admin", eiso_tests::ADMIN_PASSWORD).await.unwrap();
    server
        .audit(Some(&token))
        .list_audit_entries(ListAuditEntriesRequest {
            parent: "trails/identity".into(),
            filter: format!("actor = \"{client}\" AND method = \"/eiso.identity.v1.IdentityService/Login\""),
            page_size: 1000,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .audit_entries
        .len()
}

/// `users/{id}` of the administrator.
async fn root_admin(server: &TestServer) -> String {
    let token = server.login("admin", eiso_tests::ADMIN_PASSWORD).await.unwrap();
    let me = server.identity(Some(&token)).who_am_i(WhoAmIRequest {}).await.unwrap();
    me.into_inner().principal
}

#[tokio::test]
async fn the_service_identity_signs_in_again_when_its_token_expires() {
    let server = TestServer::start_configured(|config| config.token_ttl_seconds = 2).await;
    let root = server.root_unit().await;
    let (config, client) = service_identity(&server).await;
    let admin = root_admin(&server).await;

    // One upstream renews by the system clock; one whose clock stands still
    // believes its token fresh until the server refuses it; one whose clock
    // the test moves renews before the server would refuse.
    let ticking = RemoteDirectory::new(upstream(&config));
    let (frozen_clock, _frozen) = Clock::manual(Utc::now());
    let frozen = RemoteDirectory::new(Arc::new(Upstream::new(&config).unwrap().with_clock(frozen_clock)));
    let (moved_clock, hands) = Clock::manual(Utc::now());
    let moved = RemoteDirectory::new(Arc::new(Upstream::new(&config).unwrap().with_clock(moved_clock)));

    for directory in [&ticking, &frozen, &moved] {
        assert!(directory.user(&admin).await.unwrap().is_some());
        assert!(directory.user(&admin).await.unwrap().is_some(), "the token is kept");
    }
    assert_eq!(sign_ins(&server, &client).await, 3, "one sign-in per upstream");
    hands.set(Utc::now() + chrono::Duration::seconds(10));
    assert!(moved.user(&admin).await.unwrap().is_some());
    assert_eq!(sign_ins(&server, &client).await, 4, "renewed before it expired");

    // A user's token, checked (and kept) before it expires.
    let admin_token = server.login("admin", eiso_tests::ADMIN_PASSWORD).await.unwrap();
    server
        .identity(Some(&admin_token))
        .create_user(eiso_tests::new_user(
            "can.bo",
            "Cán bộ",
            &[(Role::Viewer, &root.name)],
            "can.bo-password",
        ))
        .await
        .unwrap();
    let token = server.login("can.bo", "can.bo-password").await.unwrap();
    let verifier = RemoteVerifier::new(upstream(&config));
    let principal = verifier.verify(&token).await.unwrap();
    assert!(principal.expire_time <= Utc::now() + chrono::Duration::seconds(2));
    assert_eq!(verifier.cached(), 1);

    // Past every token's expiry (the server signs whole seconds).
    tokio::time::sleep(Duration::from_millis(3100)).await;

    assert!(ticking.user(&admin).await.unwrap().is_some());
    assert_eq!(sign_ins(&server, &client).await, 5, "signed in again by itself");
    assert!(
        frozen.user(&admin).await.unwrap().is_some(),
        "refused once, signed in, answered"
    );
    assert_eq!(sign_ins(&server, &client).await, 6, "signed in again when refused");

    let status = verifier.verify(&token).await.unwrap_err();
    assert_eq!(
        status.code(),
        Code::Unauthenticated,
        "not kept past its expiry: {status:?}"
    );
    let status = RemoteVerifier::new(upstream(&config)).verify(&token).await.unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated, "{status:?}");
    server.stop().await;
}

#[tokio::test]
async fn a_changed_role_reaches_the_remote_verifier_within_its_cache_time() {
    let server = TestServer::start().await;
    let tree = server.office_with_neighbours().await;
    let (config, _) = service_identity(&server).await;
    let (user, token) = server.user_with_role("lanh.dao", Role::Viewer, &tree.office.name).await;
    let (clock, hands) = Clock::manual(Utc::now());
    let verifier = RemoteVerifier::new(upstream(&config)).with_clock(clock);
    let before: Principal = verifier.verify(&token).await.unwrap();
    assert_eq!(before.bindings, [(Role::Viewer, tree.office.name.clone())]);

    server
        .admin()
        .update_user(UpdateUserRequest {
            user: Some(User {
                role_bindings: vec![RoleBinding {
                    role: Role::Leader as i32,
                    unit: tree.sibling.name.clone(),
                }],
                ..user.clone()
            }),
            update_mask: mask(&["role_bindings"]),
            etag: String::new(),
        })
        .await
        .unwrap();
    assert_eq!(verifier.verify(&token).await.unwrap(), before, "kept for a while");
    hands.set(Utc::now() + chrono::Duration::seconds(31));
    let after = verifier.verify(&token).await.unwrap();
    assert_eq!(after.bindings, [(Role::Leader, tree.sibling.name.clone())]);

    // A disabled account is refused once the answer is no longer kept.
    server
        .admin()
        .update_user(eiso_tests::disable_user(&user))
        .await
        .unwrap();
    hands.set(Utc::now() + chrono::Duration::seconds(62));
    let status = verifier.verify(&token).await.unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated, "{status:?}");
    server.stop().await;
}
