//! Every method of the API × every role, called for real: the server's answer
//! must match the authorisation table, and a method missing from the table
//! fails the test.

use eiso_platform::policy::{self, ALL_ROLES, Access};
use eiso_proto::eiso::identity::v1::Role;
use eiso_tests::TestServer;
use tonic::Code;

/// Calls `method` with an empty request message (every field at its
/// default): the gateway decides before the handler sees it, and a handler
/// answers an empty request with a validation error, never success.
async fn call(server: &TestServer, method: &str, token: Option<&str>) -> Result<(), tonic::Status> {
    let mut grpc = tonic::client::Grpc::new(server.channel.clone());
    grpc.ready()
        .await
        .map_err(|e| tonic::Status::unavailable(e.to_string()))?;
    let mut request = tonic::Request::new(());
    if let Some(token) = token {
        request
            .metadata_mut()
            .insert("authorization", format!("Bearer {token}").parse().unwrap());
    }
    let path: http::uri::PathAndQuery = method.parse().unwrap();
    let codec = tonic_prost::ProstCodec::<(), ()>::default();
    if method.ends_with("/WatchEvents") {
        // Server streaming: the first message or the error tells.
        let mut stream = grpc.server_streaming(request, path, codec).await?.into_inner();
        let _ = tokio::time::timeout(std::time::Duration::from_millis(200), stream.message()).await;
        Ok(())
    } else {
        grpc.unary(request, path, codec).await.map(|_| ())
    }
}

fn eiso_methods() -> Vec<String> {
    eiso_proto::all_methods().unwrap()
}

#[tokio::test]
async fn every_method_times_every_role_matches_the_table() {
    let server = TestServer::start().await;
    let root = server.root_unit().await;
    let mut tokens = Vec::new();
    for (i, role) in ALL_ROLES.iter().enumerate() {
        let (_, token) = server.user_with_role(&format!("role-{i}"), *role, &root.name).await;
        tokens.push((*role, token));
    }

    let mut checked = 0;
    for method in eiso_methods() {
        let rule = policy::rule(&method).unwrap_or_else(|| panic!("{method} is missing from the authorisation table"));

        // Without a token only public methods get past the gateway.
        let anonymous = call(&server, &method, None).await;
        match rule.access {
            Access::Public => {
                assert_ne!(
                    anonymous.as_ref().err().map(|s| s.code()),
                    Some(Code::Unauthenticated),
                    "{method}"
                )
            }
            _ => assert_eq!(
                anonymous.unwrap_err().code(),
                Code::Unauthenticated,
                "{method} without a token"
            ),
        }

        for (role, token) in &tokens {
            let result = call(&server, &method, Some(token)).await;
            let denied = matches!(&result, Err(status) if status.code() == Code::PermissionDenied);
            let allowed = policy::allows(&method, &[*role]);
            assert_eq!(!denied, allowed, "{method} as {role:?}: {result:?}");
            assert_ne!(
                result.as_ref().err().map(|s| s.code()),
                Some(Code::Unauthenticated),
                "{method} as {role:?} with a valid token"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, eiso_methods().len() * ALL_ROLES.len());

    // A method the table does not know does not exist: UNIMPLEMENTED even
    // for an administrator, and never reaches a service.
    let unknown = call(
        &server,
        "/eiso.identity.v1.IdentityService/DropEverything",
        Some(&tokens[0].1),
    )
    .await;
    assert_eq!(unknown.unwrap_err().code(), Code::Unimplemented);
    server.stop().await;
}

#[tokio::test]
async fn bad_tokens_are_unauthenticated() {
    let server = TestServer::start().await;
    for token in ["", "garbage", "v1.e30.AAAA", &format!("{}x", server.admin_token)] {
        let status = server
            .identity(Some(token))
            .who_am_i(eiso_proto::eiso::identity::v1::WhoAmIRequest {})
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::Unauthenticated, "{token:?}");
    }
    server.stop().await;
}

#[tokio::test]
async fn refused_calls_are_audited() {
    let server = TestServer::start().await;
    let root = server.root_unit().await;
    let (viewer, token) = server.user_with_role("viewer", Role::Viewer, &root.name).await;
    let status = server
        .identity(Some(&token))
        .create_unit(eiso_proto::eiso::identity::v1::CreateUnitRequest::default())
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    let entries = server
        .audit_entries("trails/identity", &format!("code = {}", Code::PermissionDenied as i32))
        .await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0].method, "/eiso.identity.v1.IdentityService/CreateUnit");
    assert_eq!(entries[0].actor, viewer.name);
    server.stop().await;
}
