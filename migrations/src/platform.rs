//! Tables that every service database has: the transactional outbox, the
//! hash-chained audit trail, idempotency keys for creates, and the chain heads.
//!
//! `chain_heads` holds one row per append-only log (`outbox`, `audit`). A write
//! transaction that appends to a log first updates that row: on PostgreSQL the
//! row lock orders concurrent appenders so that sequence order is commit order
//! (a consumer reading after sequence N can never later see a smaller one
//! appear), and on SQLite the write lock does the same.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// The zero hash that the first audit entry links to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

pub struct CreatePlatformTables;

impl MigrationName for CreatePlatformTables {
    fn name(&self) -> &str {
        "m0001_platform_tables"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CreatePlatformTables {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("chain_heads")
                    .if_not_exists()
                    .col(text("name").primary_key())
                    .col(big_integer("sequence"))
                    .col(text("hash"))
                    .to_owned(),
            )
            .await?;
        let seed = Query::insert()
            .into_table("chain_heads")
            .columns(["name", "sequence", "hash"])
            .values_panic(["outbox".into(), 0i64.into(), "".into()])
            .values_panic(["audit".into(), 0i64.into(), GENESIS_HASH.into()])
            .to_owned();
        manager.exec_stmt(seed).await?;

        manager
            .create_table(
                Table::create()
                    .table("outbox_events")
                    .if_not_exists()
                    .col(big_integer("sequence").primary_key())
                    .col(text("event_type"))
                    .col(text("resource"))
                    .col(text("actor"))
                    .col(text("payload_type"))
                    .col(blob("payload"))
                    .col(big_integer("create_time_us"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("audit_entries")
                    .if_not_exists()
                    .col(big_integer("sequence").primary_key())
                    .col(big_integer("create_time_us"))
                    .col(text("actor"))
                    .col(text("method"))
                    .col(text("resource"))
                    .col(integer("code"))
                    .col(text("message"))
                    .col(text("reason"))
                    .col(text("request_id"))
                    .col(text("previous_hash"))
                    .col(text("hash"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("idempotency_keys")
                    .if_not_exists()
                    .col(text("scope"))
                    .col(text("request_id"))
                    .col(text("request_hash"))
                    .col(text("resource"))
                    .col(blob("response"))
                    .col(big_integer("create_time_us"))
                    .primary_key(Index::create().col("scope").col("request_id"))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
