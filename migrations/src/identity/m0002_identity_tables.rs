use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::schema::{index, unique_index, versioned};

crate::schema::migration!("m0002_identity_tables", |manager| {
    manager
        .create_table(
            versioned(
                Table::create()
                    .table("units")
                    .col(text("id").primary_key())
                    .col(text("code"))
                    .col(text("display_name"))
                    .col(integer("kind"))
                    .col(text_null("parent_id"))
                    .col(integer("state"))
                    .col(text_null("successor_id"))
                    .col(text("former_names")),
            )
            .to_owned(),
        )
        .await?;
    unique_index(manager, "units_code_key", "units", &["code"]).await?;
    index(manager, "units_parent_idx", "units", &["parent_id"]).await?;

    manager
        .create_table(
            versioned(
                Table::create()
                    .table("users")
                    .col(text("id").primary_key())
                    .col(text("username"))
                    .col(text("display_name"))
                    .col(text("email"))
                    .col(text("password_hash"))
                    .col(integer("state")),
            )
            .to_owned(),
        )
        .await?;
    unique_index(manager, "users_username_key", "users", &["username"]).await?;

    manager
        .create_table(
            Table::create()
                .table("api_clients")
                .col(text("id").primary_key())
                .col(text("display_name"))
                .col(text("secret_hash"))
                .col(boolean("revoked"))
                .col(timestamp_with_time_zone("create_time"))
                .col(timestamp_with_time_zone_null("revoke_time"))
                .to_owned(),
        )
        .await?;

    // Role bindings of users (kind `user`) and API clients (kind `client`).
    manager
        .create_table(
            Table::create()
                .table("role_bindings")
                .col(text("principal_kind"))
                .col(text("principal_id"))
                .col(integer("role"))
                .col(text("unit_id"))
                .primary_key(
                    Index::create()
                        .col("principal_kind")
                        .col("principal_id")
                        .col("role")
                        .col("unit_id"),
                )
                .to_owned(),
        )
        .await?;
    index(manager, "role_bindings_unit_idx", "role_bindings", &["unit_id"]).await?;

    // HMAC keys that sign access tokens; shared by every replica.
    manager
        .create_table(
            Table::create()
                .table("signing_keys")
                .col(text("id").primary_key())
                .col(text("secret"))
                .col(timestamp_with_time_zone("create_time"))
                .to_owned(),
        )
        .await?;
    Ok(())
});
