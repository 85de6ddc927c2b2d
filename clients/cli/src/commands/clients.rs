//! `eiso clients …`.

use eiso_proto::eiso::identity::v1::{
    ApiClient, CreateApiClientRequest, GetApiClientRequest, ListApiClientsRequest, RevokeApiClientRequest,
};
use serde_json::{Value, json};

use super::{created, list_method, print_page, request_id};
use crate::cli::{ClientCreateArgs, ClientsCommand};
use crate::context::Ctx;
use crate::directory::Labels;
use crate::error::CliError;
use crate::names::{binding_units, nfc, role_bindings_cell, role_bindings_json};
use crate::output::{self, details_table, json_time, local_cell, table};

/// Runs a `clients` subcommand.
pub async fn run(ctx: &Ctx, command: ClientsCommand) -> Result<(), CliError> {
    match command {
        ClientsCommand::Create(args) => create(ctx, args).await,
        ClientsCommand::List(page) => {
            let (api_clients, next) = list_method!(
                ctx,
                &page,
                |page_size, page_token| ListApiClientsRequest { page_size, page_token },
                ctx.identity(),
                list_api_clients,
                api_clients,
            )
            .await?;
            let units = api_clients
                .iter()
                .flat_map(|api_client| binding_units(&api_client.role_bindings));
            let labels = Labels::of(ctx, units).await;
            print_page(
                ctx,
                "api_clients",
                &api_clients,
                &next,
                client_json,
                "no API clients",
                |api_clients| clients_table(api_clients, &labels),
            )
        }
        ClientsCommand::Show { client } => {
            let request = ctx.request(GetApiClientRequest { name: client })?;
            let api_client = ctx.answer(ctx.identity().get_api_client(request)).await?;
            print_one(ctx, &api_client).await
        }
        ClientsCommand::Revoke { client } => {
            let reason = ctx.required_reason("clients revoke")?;
            let request = ctx.request(RevokeApiClientRequest { name: client, reason })?;
            let api_client = ctx.answer(ctx.identity().revoke_api_client(request)).await?;
            print_one(ctx, &api_client).await
        }
    }
}

async fn create(ctx: &Ctx, args: ClientCreateArgs) -> Result<(), CliError> {
    let request_id = request_id(args.request_id.as_deref());
    let request = ctx.request(CreateApiClientRequest {
        api_client: Some(ApiClient {
            display_name: nfc(&args.name),
            role_bindings: args.roles,
            ..ApiClient::default()
        }),
        request_id: request_id.clone(),
    })?;
    let response = created(ctx, &request_id, ctx.identity().create_api_client(request)).await?;

    output::warn(
        "the client secret is shown only this once and cannot be retrieved later: store it now in the \
         client system's configuration",
    );
    if ctx.json() {
        return output::print_json(&json!({
            "api_client": response.api_client.as_ref().map_or(Value::Null, client_json),
            "client_id": response.client_id,
            "client_secret": response.client_secret,
        }));
    }
    if let Some(api_client) = &response.api_client {
        let labels = Labels::of(ctx, binding_units(&api_client.role_bindings)).await;
        output::print_table(&client_details(api_client, &labels))?;
    }
    output::print(&format!(
        "client id:     {}\nclient secret: {}",
        response.client_id, response.client_secret
    ))
}

fn clients_table(api_clients: &[ApiClient], labels: &Labels) -> comfy_table::Table {
    let mut table = table(["NAME", "DISPLAY NAME", "ROLES", "STATE", "CREATED"]);
    for api_client in api_clients {
        table.add_row(vec![
            api_client.name.clone(),
            api_client.display_name.clone(),
            role_bindings_cell(&api_client.role_bindings, labels),
            state_label(api_client),
            local_cell(api_client.create_time.as_ref()),
        ]);
    }
    table
}

fn state_label(api_client: &ApiClient) -> String {
    if api_client.revoked {
        let when = local_cell(api_client.revoke_time.as_ref());
        if when.is_empty() {
            "revoked".to_string()
        } else {
            format!("revoked {when}")
        }
    } else {
        "active".to_string()
    }
}

async fn print_one(ctx: &Ctx, api_client: &ApiClient) -> Result<(), CliError> {
    if ctx.json() {
        return output::print_json(&client_json(api_client));
    }
    let labels = Labels::of(ctx, binding_units(&api_client.role_bindings)).await;
    output::print_table(&client_details(api_client, &labels))
}

fn client_details(api_client: &ApiClient, labels: &Labels) -> comfy_table::Table {
    details_table([
        ("name", api_client.name.clone()),
        ("display name", api_client.display_name.clone()),
        ("roles", role_bindings_cell(&api_client.role_bindings, labels)),
        ("state", state_label(api_client)),
        ("created", local_cell(api_client.create_time.as_ref())),
    ])
}

/// An API client for JSON output.
pub fn client_json(api_client: &ApiClient) -> Value {
    json!({
        "name": api_client.name,
        "display_name": api_client.display_name,
        "role_bindings": role_bindings_json(&api_client.role_bindings),
        "revoked": api_client.revoked,
        "create_time": json_time(api_client.create_time.as_ref()),
        "revoke_time": json_time(api_client.revoke_time.as_ref()),
    })
}
