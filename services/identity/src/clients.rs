//! API clients: machine callers (district and provincial systems).

use chrono::Utc;
use eiso_platform::aip::{list, names, text};
use eiso_platform::auth::random_secret;
use eiso_platform::journal::{Begun, fingerprint};
use eiso_platform::{CallContext, NewEvent, ServiceError, ServiceResult, Violations};
use eiso_proto::eiso::identity::v1::{
    ApiClient, CreateApiClientRequest, CreateApiClientResponse, ListApiClientsRequest, ListApiClientsResponse,
    RevokeApiClientRequest,
};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};

use crate::Identity;
use crate::login::hash_client_secret;
use crate::rows::{CLIENT_COLUMNS, ClientRow, bindings_of, find_client, set_bindings};
use crate::scope;
use crate::units::{check_bindings, check_request_id};

impl Identity {
    pub async fn create_api_client(
        &self,
        ctx: &CallContext,
        request: CreateApiClientRequest,
    ) -> ServiceResult<CreateApiClientResponse> {
        let print = fingerprint(&request);
        let input = request.api_client.unwrap_or_default();
        let mut violations = Violations::new();
        let display_name = text::clean(
            &mut violations,
            "api_client.display_name",
            &input.display_name,
            true,
            200,
        );
        check_request_id(&mut violations, &ctx.request_id);
        if input.role_bindings.is_empty() {
            violations.add("api_client.role_bindings", "give the client at least one role");
        }
        violations.check()?;

        let mut tx = match self
            .journal
            .begin_idempotent::<CreateApiClientResponse>(ctx, &print)
            .await?
        {
            Begun::Fresh(tx) => *tx,
            Begun::Replayed(done) => return Ok(done),
        };
        let bindings = check_bindings(tx.txn(), &input.role_bindings, "api_client.role_bindings").await?;
        scope::require_admin_over_principal(tx.txn(), &ctx.principal, &bindings).await?;
        let secret = random_secret(32);
        let row = ClientRow {
            id: names::new_id(),
            display_name,
            secret_hash: hash_client_secret(&secret),
            revoked: false,
            create_time: Utc::now(),
            revoke_time: None,
        };
        tx.txn()
            .execute(
                Query::insert()
                    .into_table("api_clients")
                    .columns(CLIENT_COLUMNS)
                    .values_panic([
                        row.id.clone().into(),
                        row.display_name.clone().into(),
                        row.secret_hash.clone().into(),
                        row.revoked.into(),
                        row.create_time.into(),
                        row.revoke_time.into(),
                    ]),
            )
            .await?;
        set_bindings(tx.txn(), "client", &row.id, &bindings).await?;
        let api_client = row.to_proto(&bindings);
        tx.event(NewEvent::with(
            "identity.api_client.created",
            &api_client.name,
            &api_client,
        ));
        // The stored response holds the secret so that a retried create can
        // hand it over; it is kept in the service's own database only.
        let response = CreateApiClientResponse {
            client_id: row.id.clone(),
            client_secret: secret,
            api_client: Some(api_client),
        };
        tx.commit_idempotent(response).await
    }

    /// A client whose bindings the caller administers; any other is NOT_FOUND.
    pub async fn get_api_client(&self, ctx: &CallContext, name: &str) -> ServiceResult<ApiClient> {
        let id = names::parse(name, "clients", "name")?;
        let db = self.journal.db().reader();
        let row = find_client(db, &id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(name.to_string()))?;
        let bindings = bindings_of(db, "client", &id).await?;
        scope::require_admin_over_principal(db, &ctx.principal, &bindings)
            .await
            .map_err(|_| ServiceError::NotFound(name.to_string()))?;
        Ok(row.to_proto(&bindings))
    }

    /// Every API client: a global operation, for an administrator of a root unit.
    pub async fn list_api_clients(
        &self,
        ctx: &CallContext,
        request: ListApiClientsRequest,
    ) -> ServiceResult<ListApiClientsResponse> {
        let listing = list::Listing::paged(request.page_size, &request.page_token, "clients", 50, 1000)?;
        let db = self.journal.db().reader();
        scope::require_admin_over(db, &ctx.principal, None).await?;
        let mut query = Query::select();
        query
            .columns(CLIENT_COLUMNS)
            .from("api_clients")
            .order_by("create_time", Order::Asc)
            .order_by("id", Order::Asc);
        listing.limit(&mut query);
        let (rows, next_page_token) = listing.rows(db, &query).await?;
        let mut api_clients = Vec::new();
        for row in &rows {
            let row = ClientRow::from_row(row)?;
            let bindings = bindings_of(db, "client", &row.id).await?;
            api_clients.push(row.to_proto(&bindings));
        }
        Ok(ListApiClientsResponse {
            api_clients,
            next_page_token,
        })
    }

    pub async fn revoke_api_client(
        &self,
        ctx: &CallContext,
        request: RevokeApiClientRequest,
    ) -> ServiceResult<ApiClient> {
        let id = names::parse(&request.name, "clients", "name")?;
        let ctx = ctx.clone().with_reason(&request.reason);
        let mut tx = self.journal.begin(&ctx).await?;
        let mut row = find_client(tx.txn(), &id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(request.name.clone()))?;
        scope::require_admin_over_principal(tx.txn(), &ctx.principal, &bindings_of(tx.txn(), "client", &id).await?)
            .await?;
        if row.revoked {
            return Err(ServiceError::precondition(
                "CLIENT_REVOKED",
                row.name(),
                format!("{} is already revoked", row.name()),
            ));
        }
        let now = Utc::now();
        tx.txn()
            .execute(
                Query::update()
                    .table("api_clients")
                    .value("revoked", true)
                    .value("revoke_time", now)
                    .and_where(Expr::col("id").eq(id.clone())),
            )
            .await?;
        row.revoked = true;
        row.revoke_time = Some(now);
        let bindings = bindings_of(tx.txn(), "client", &id).await?;
        set_bindings(tx.txn(), "client", &id, &[]).await?;
        let api_client = row.to_proto(&bindings);
        tx.event(NewEvent::with(
            "identity.api_client.revoked",
            &api_client.name,
            &api_client,
        ));
        tx.commit().await?;
        self.verifier.forget(&api_client.name);
        Ok(api_client)
    }
}
