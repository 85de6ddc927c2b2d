//! Identity, search and the audit trails.

use std::sync::atomic::{AtomicUsize, Ordering};

use eiso_proto::eiso::audit::v1::{ListAuditEntriesRequest, ListAuditTrailsRequest, VerifyAuditTrailRequest};
use eiso_proto::eiso::event::v1::GetEventStreamRequest;
use eiso_proto::eiso::identity::v1::*;
use eiso_proto::eiso::search::v1::{GetIndexStatusRequest, RebuildIndexRequest, SearchRequest};
use eiso_tests::TestServer;
use eiso_tests::values::mask;

use super::{Case, Clients, Seen, Units};
use crate::{listed, unary};

#[derive(Debug, Clone, Default)]
pub struct Fixture {
    /// A user bound at S1 (updated, its password set).
    pub user: String,
    /// An API client bound at S1.
    pub client: String,
    /// Units below S1 to merge into S1 and to dissolve.
    pub merged: String,
    pub dissolved: String,
}

static SEQUENCE: AtomicUsize = AtomicUsize::new(0);

/// A fresh suffix for names that must be unique (codes, usernames).
pub fn fresh() -> usize {
    SEQUENCE.fetch_add(1, Ordering::Relaxed)
}

pub async fn fixture(server: &TestServer, units: &Units) -> Fixture {
    let (user, _) = server
        .user_with_bindings("target-s1", &[(Role::Viewer, &units.s1)])
        .await;
    Fixture {
        user: user.name,
        client: new_client(server, &units.s1).await,
        merged: server.create_unit("S1M", "Tổ được sáp nhập", &units.s1).await.name,
        dissolved: server.create_unit("S1D", "Tổ giải thể", &units.s1).await.name,
    }
}

/// An API client bound at `unit`, made by the administrator.
async fn new_client(server: &TestServer, unit: &str) -> String {
    server
        .admin()
        .create_api_client(CreateApiClientRequest {
            api_client: Some(ApiClient {
                display_name: format!("Hệ thống {}", fresh()),
                role_bindings: vec![RoleBinding {
                    role: Role::Viewer as i32,
                    unit: unit.to_string(),
                }],
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner()
        .api_client
        .unwrap()
        .name
}

/// Waits until the index has every event the streams hold.
pub async fn wait_for_index(server: &TestServer, token: &str) {
    for _ in 0..600 {
        let status = server
            .search(token)
            .get_index_status(GetIndexStatusRequest {})
            .await
            .unwrap()
            .into_inner();
        if !status.streams.is_empty() && status.streams.iter().all(|s| s.lag == 0) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the search index did not catch up");
}

fn unit_under(parent: &str, code: String) -> Unit {
    Unit {
        code,
        display_name: "Tổ mới".into(),
        kind: UnitKind::Office as i32,
        parent: parent.to_string(),
        ..Default::default()
    }
}

pub fn cases() -> Vec<Case> {
    vec![
        Case {
            method: "/eiso.identity.v1.IdentityService/WhoAmI",
            run: unary!(identity_of, who_am_i, |c| WhoAmIRequest {}),
        },
        Case {
            method: "/eiso.identity.v1.IdentityService/CreateUnit",
            run: unary!(identity_of, create_unit, |c| CreateUnitRequest {
                unit: Some(unit_under(&c.units.s1, format!("N{}", fresh()))),
                request_id: String::new(),
            }),
        },
        Case {
            method: "/eiso.identity.v1.IdentityService/GetUnit",
            run: unary!(identity_of, get_unit, |c| GetUnitRequest {
                name: c.units.s1.clone()
            }),
        },
        Case {
            method: "/eiso.identity.v1.IdentityService/ListUnits",
            run: listed!(
                identity_of,
                list_units,
                |c| ListUnitsRequest {
                    filter: "code = S1".into(),
                    ..Default::default()
                },
                c.units.s1.clone()
            ),
        },
        Case {
            method: "/eiso.identity.v1.IdentityService/UpdateUnit",
            run: unary!(identity_of, update_unit, |c| UpdateUnitRequest {
                unit: Some(Unit {
                    name: c.units.s1.clone(),
                    display_name: format!("Trường số 1 ({})", fresh()),
                    ..Default::default()
                }),
                update_mask: mask(&["display_name"]),
                etag: String::new(),
            }),
        },
        Case {
            method: "/eiso.identity.v1.IdentityService/RenameUnit",
            run: unary!(identity_of, rename_unit, |c| RenameUnitRequest {
                name: c.units.s1.clone(),
                display_name: format!("Trường Tiểu học số 1 ({})", fresh()),
                code: String::new(),
                reason: "Quyết định đổi tên".into(),
                etag: String::new(),
            }),
        },
        Case {
            method: "/eiso.identity.v1.IdentityService/MergeUnits",
            run: unary!(identity_of, merge_units, |c| MergeUnitsRequest {
                sources: vec![c.fixture.identity.merged.clone()],
                successor: c.units.s1.clone(),
                reason: "Sáp nhập tổ".into(),
            }),
        },
        Case {
            method: "/eiso.identity.v1.IdentityService/DissolveUnit",
            run: unary!(identity_of, dissolve_unit, |c| DissolveUnitRequest {
                name: c.fixture.identity.dissolved.clone(),
                successor: c.units.s1.clone(),
                reason: "Giải thể tổ".into(),
                etag: String::new(),
            }),
        },
        Case {
            method: "/eiso.identity.v1.IdentityService/CreateUser",
            run: unary!(identity_of, create_user, |c| CreateUserRequest {
                user: Some(User {
                    username: format!("new-{}", fresh()),
                    display_name: "Người mới".into(),
                    role_bindings: vec![RoleBinding {
                        role: Role::Viewer as i32,
                        unit: c.units.s1.clone(),
                    }],
                    ..Default::default()
                }),
                password: "mật khẩu mới đủ dài".into(),
                request_id: String::new(),
            }),
        },
        Case {
            method: "/eiso.identity.v1.IdentityService/GetUser",
            run: unary!(identity_of, get_user, |c| GetUserRequest {
                name: c.fixture.identity.user.clone()
            }),
        },
        Case {
            method: "/eiso.identity.v1.IdentityService/ListUsers",
            run: listed!(
                identity_of,
                list_users,
                |c| ListUsersRequest {
                    filter: "username = target-s1".into(),
                    ..Default::default()
                },
                c.fixture.identity.user.clone()
            ),
        },
        Case {
            method: "/eiso.identity.v1.IdentityService/UpdateUser",
            run: unary!(identity_of, update_user, |c| UpdateUserRequest {
                user: Some(User {
                    name: c.fixture.identity.user.clone(),
                    display_name: format!("Người dùng {}", fresh()),
                    ..Default::default()
                }),
                update_mask: mask(&["display_name"]),
                etag: String::new(),
            }),
        },
        Case {
            method: "/eiso.identity.v1.IdentityService/SetUserPassword",
            run: unary!(identity_of, set_user_password, |c| SetUserPasswordRequest {
                name: c.fixture.identity.user.clone(),
                current_password: String::new(),
                new_password: format!("mật khẩu thứ {} đủ dài", fresh()),
            }),
        },
        Case {
            method: "/eiso.identity.v1.IdentityService/CreateApiClient",
            run: unary!(identity_of, create_api_client, |c| CreateApiClientRequest {
                api_client: Some(ApiClient {
                    display_name: format!("Hệ thống {}", fresh()),
                    role_bindings: vec![RoleBinding {
                        role: Role::Viewer as i32,
                        unit: c.units.s1.clone(),
                    }],
                    ..Default::default()
                }),
                request_id: String::new(),
            }),
        },
        Case {
            method: "/eiso.identity.v1.IdentityService/GetApiClient",
            run: unary!(identity_of, get_api_client, |c| GetApiClientRequest {
                name: c.fixture.identity.client.clone()
            }),
        },
        Case {
            method: "/eiso.identity.v1.IdentityService/ListApiClients",
            run: listed!(
                identity_of,
                list_api_clients,
                |c| ListApiClientsRequest::default(),
                c.fixture.identity.client.clone()
            ),
        },
        Case {
            method: "/eiso.identity.v1.IdentityService/RevokeApiClient",
            // A fresh client each call: a revoked one belongs to no unit.
            run: Box::new(|c: super::Call| {
                Box::pin(async move {
                    let name = new_client(&c.server, &c.units.s1).await;
                    c.server
                        .identity_of(c.token())
                        .revoke_api_client(RevokeApiClientRequest {
                            name,
                            reason: "Ngừng kết nối".into(),
                        })
                        .await
                        .map(|_| Seen::Done)
                })
            }),
        },
        Case {
            method: "/eiso.identity.v1.IdentityService/WatchEvents",
            run: Box::new(|c: super::Call| {
                Box::pin(async move {
                    c.server
                        .identity(Some(c.token()))
                        .watch_events(WatchEventsRequest { after_sequence: 0 })
                        .await
                        .map(|_| Seen::Done)
                })
            }),
        },
        Case {
            method: "/eiso.search.v1.SearchService/Search",
            run: listed!(
                search,
                search,
                |c| SearchRequest {
                    query: c.fixture.documents.restricted_code.clone(),
                    ..Default::default()
                },
                c.fixture.documents.document.clone()
            ),
        },
        Case {
            method: "/eiso.search.v1.SearchService/GetIndexStatus",
            run: unary!(search, get_index_status, |c| GetIndexStatusRequest {}),
        },
        Case {
            method: "/eiso.search.v1.SearchService/RebuildIndex",
            run: unary!(search, rebuild_index, |c| RebuildIndexRequest {}),
        },
        Case {
            method: "/eiso.audit.v1.AuditService/ListAuditEntries",
            run: unary!(audit_of, list_audit_entries, |c| ListAuditEntriesRequest {
                parent: "trails/identity".into(),
                ..Default::default()
            }),
        },
        Case {
            method: "/eiso.audit.v1.AuditService/VerifyAuditTrail",
            run: unary!(audit_of, verify_audit_trail, |c| VerifyAuditTrailRequest {
                name: "trails/identity".into()
            }),
        },
        Case {
            method: "/eiso.audit.v1.AuditService/ListAuditTrails",
            run: unary!(audit_of, list_audit_trails, |c| ListAuditTrailsRequest {}),
        },
        Case {
            method: "/eiso.event.v1.EventService/GetEventStream",
            run: unary!(events, get_event_stream, |c| GetEventStreamRequest {
                name: "eventStreams/documents".into()
            }),
        },
    ]
}

/// The administrator bound at the root does the global operations no other
/// binding may.
pub async fn root_administrator_reaches_everything(server: &TestServer) {
    let token = server.admin_token.clone();
    let clients = server
        .admin()
        .list_api_clients(ListApiClientsRequest::default())
        .await
        .unwrap()
        .into_inner()
        .api_clients;
    assert!(!clients.is_empty());
    server
        .admin()
        .watch_events(WatchEventsRequest { after_sequence: 0 })
        .await
        .unwrap();
    server
        .audit(Some(&token))
        .verify_audit_trail(VerifyAuditTrailRequest {
            name: "trails/documents".into(),
        })
        .await
        .unwrap();
    server
        .search(&token)
        .rebuild_index(RebuildIndexRequest {})
        .await
        .unwrap();
    let stream = server
        .events(&token)
        .get_event_stream(GetEventStreamRequest {
            name: "eventStreams/documents".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(stream.head_sequence > 0, "{stream:?}");
}
