//! The tonic adapter: read the call context, call the service, map errors.

use eiso_platform::CallContext;
use eiso_platform::grpc::{GrpcResult as Result, reply};
use eiso_proto::eiso::identity::v1::identity_service_server::IdentityService;
use eiso_proto::eiso::identity::v1::*;
use eiso_proto::tonic::{Request, Response};

use crate::Identity;

eiso_platform::grpc_service! {
    /// `eiso.identity.v1.IdentityService` over an [`Identity`].
    pub struct IdentityApi(identity: Identity);

    impl IdentityService for IdentityApi {
        rpc create_unit(CreateUnitRequest) -> Unit => call create_unit, request_id;
        rpc list_units(ListUnitsRequest) -> ListUnitsResponse => read list_units;
        rpc update_unit(UpdateUnitRequest) -> Unit => call update_unit;
        rpc rename_unit(RenameUnitRequest) -> Unit => call rename_unit;
        rpc merge_units(MergeUnitsRequest) -> MergeUnitsResponse => call merge_units;
        rpc dissolve_unit(DissolveUnitRequest) -> Unit => call dissolve_unit;

        rpc create_user(CreateUserRequest) -> User => call create_user, request_id;
        rpc list_users(ListUsersRequest) -> ListUsersResponse => read list_users;
        rpc update_user(UpdateUserRequest) -> User => call update_user;
        rpc set_user_password(SetUserPasswordRequest) -> () => call set_user_password;

        rpc create_api_client(CreateApiClientRequest) -> CreateApiClientResponse => call create_api_client, request_id;
        rpc list_api_clients(ListApiClientsRequest) -> ListApiClientsResponse => call list_api_clients;
        rpc revoke_api_client(RevokeApiClientRequest) -> ApiClient => call revoke_api_client;
        stream watch_events(WatchEventsRequest) -> WatchEventsResponse => events;

        // Logging in has no context yet, only the caller's address; who-am-I cannot fail.

        async fn login(&self, request: Request<LoginRequest>) -> Result<LoginResponse> {
            let client = request.remote_addr().map(|address| address.ip());
            reply(self.identity.login(request.into_inner(), client).await)
        }

        async fn who_am_i(&self, request: Request<WhoAmIRequest>) -> Result<WhoAmIResponse> {
            let ctx = CallContext::from_request(&request)?;
            Ok(Response::new(self.identity.who_am_i(&ctx)))
        }

        // The gets take the resource's name alone.

        async fn get_unit(&self, request: Request<GetUnitRequest>) -> Result<Unit> {
            reply(self.identity.get_unit(&request.into_inner().name).await)
        }

        async fn get_user(&self, request: Request<GetUserRequest>) -> Result<User> {
            reply(self.identity.get_user(&request.into_inner().name).await)
        }

        async fn get_api_client(&self, request: Request<GetApiClientRequest>) -> Result<ApiClient> {
            let ctx = CallContext::from_request(&request)?;
            reply(self.identity.get_api_client(&ctx, &request.into_inner().name).await)
        }
    }
}
