//! The tonic adapter: read the call context, call the service, map errors.

use eiso_platform::CallContext;
use eiso_platform::grpc::{BoxStream, GrpcResult as Result, reply, watch};
use eiso_proto::eiso::identity::v1::identity_service_server::IdentityService;
use eiso_proto::eiso::identity::v1::*;
use eiso_proto::tonic::{Request, Response};

use crate::Identity;

/// `eiso.identity.v1.IdentityService` over an [`Identity`].
#[derive(Clone)]
pub struct IdentityApi {
    identity: Identity,
}

impl IdentityApi {
    pub fn new(identity: Identity) -> Self {
        Self { identity }
    }
}

#[eiso_proto::tonic::async_trait]
impl IdentityService for IdentityApi {
    async fn login(&self, request: Request<LoginRequest>) -> Result<LoginResponse> {
        let client = request.remote_addr().map(|address| address.ip());
        reply(self.identity.login(request.into_inner(), client).await)
    }

    async fn who_am_i(&self, request: Request<WhoAmIRequest>) -> Result<WhoAmIResponse> {
        let ctx = CallContext::from_request(&request)?;
        Ok(Response::new(self.identity.who_am_i(&ctx)))
    }

    async fn create_unit(&self, request: Request<CreateUnitRequest>) -> Result<Unit> {
        let ctx = CallContext::from_request(&request)?;
        let request = request.into_inner();
        let ctx = ctx.with_request_id(&request.request_id);
        reply(self.identity.create_unit(&ctx, request).await)
    }

    async fn get_unit(&self, request: Request<GetUnitRequest>) -> Result<Unit> {
        reply(self.identity.get_unit(&request.into_inner().name).await)
    }

    async fn list_units(&self, request: Request<ListUnitsRequest>) -> Result<ListUnitsResponse> {
        reply(self.identity.list_units(request.into_inner()).await)
    }

    async fn update_unit(&self, request: Request<UpdateUnitRequest>) -> Result<Unit> {
        let ctx = CallContext::from_request(&request)?;
        reply(self.identity.update_unit(&ctx, request.into_inner()).await)
    }

    async fn rename_unit(&self, request: Request<RenameUnitRequest>) -> Result<Unit> {
        let ctx = CallContext::from_request(&request)?;
        reply(self.identity.rename_unit(&ctx, request.into_inner()).await)
    }

    async fn merge_units(&self, request: Request<MergeUnitsRequest>) -> Result<MergeUnitsResponse> {
        let ctx = CallContext::from_request(&request)?;
        reply(self.identity.merge_units(&ctx, request.into_inner()).await)
    }

    async fn dissolve_unit(&self, request: Request<DissolveUnitRequest>) -> Result<Unit> {
        let ctx = CallContext::from_request(&request)?;
        reply(self.identity.dissolve_unit(&ctx, request.into_inner()).await)
    }

    async fn create_user(&self, request: Request<CreateUserRequest>) -> Result<User> {
        let ctx = CallContext::from_request(&request)?;
        let request = request.into_inner();
        let ctx = ctx.with_request_id(&request.request_id);
        reply(self.identity.create_user(&ctx, request).await)
    }

    async fn get_user(&self, request: Request<GetUserRequest>) -> Result<User> {
        reply(self.identity.get_user(&request.into_inner().name).await)
    }

    async fn list_users(&self, request: Request<ListUsersRequest>) -> Result<ListUsersResponse> {
        reply(self.identity.list_users(request.into_inner()).await)
    }

    async fn update_user(&self, request: Request<UpdateUserRequest>) -> Result<User> {
        let ctx = CallContext::from_request(&request)?;
        reply(self.identity.update_user(&ctx, request.into_inner()).await)
    }

    async fn set_user_password(&self, request: Request<SetUserPasswordRequest>) -> Result<()> {
        let ctx = CallContext::from_request(&request)?;
        reply(self.identity.set_user_password(&ctx, request.into_inner()).await)
    }

    async fn create_api_client(&self, request: Request<CreateApiClientRequest>) -> Result<CreateApiClientResponse> {
        let ctx = CallContext::from_request(&request)?;
        let request = request.into_inner();
        let ctx = ctx.with_request_id(&request.request_id);
        reply(self.identity.create_api_client(&ctx, request).await)
    }

    async fn get_api_client(&self, request: Request<GetApiClientRequest>) -> Result<ApiClient> {
        let ctx = CallContext::from_request(&request)?;
        reply(self.identity.get_api_client(&ctx, &request.into_inner().name).await)
    }

    async fn list_api_clients(&self, request: Request<ListApiClientsRequest>) -> Result<ListApiClientsResponse> {
        let ctx = CallContext::from_request(&request)?;
        reply(self.identity.list_api_clients(&ctx, request.into_inner()).await)
    }

    async fn revoke_api_client(&self, request: Request<RevokeApiClientRequest>) -> Result<ApiClient> {
        let ctx = CallContext::from_request(&request)?;
        reply(self.identity.revoke_api_client(&ctx, request.into_inner()).await)
    }

    type WatchEventsStream = BoxStream<WatchEventsResponse>;

    async fn watch_events(&self, request: Request<WatchEventsRequest>) -> Result<Self::WatchEventsStream> {
        // The stream carries every unit's users and clients.
        let ctx = CallContext::from_request(&request)?;
        reply(self.identity.require_root(&ctx).await)?;
        watch(self.identity.journal(), request.into_inner().after_sequence, |event| {
            WatchEventsResponse { event: Some(event) }
        })
    }
}
