use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0002_quality_tables"
    }
}

/// Every table holds one kind of resource as its protobuf encoding
/// (`content`) plus the columns lists filter and sort on; see
/// `services/quality/src/store.rs` for what each column means per table.
const TABLES: [&str; 10] = [
    "inspection_programmes",
    "inspections",
    "audit_programmes",
    "audits",
    "findings",
    "corrective_actions",
    "management_reviews",
    "indicators",
    "diagnostics",
    "assessments",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            manager
                .create_table(
                    Table::create()
                        .table(table)
                        .col(text("id").primary_key())
                        .col(text("parent"))
                        .col(text("unit"))
                        .col(integer("state"))
                        .col(integer("kind"))
                        .col(text("sort_key"))
                        .col(blob("content"))
                        .col(timestamp_with_time_zone("create_time"))
                        .col(timestamp_with_time_zone("update_time"))
                        .col(big_integer("version"))
                        .to_owned(),
                )
                .await?;
            manager
                .create_index(
                    Index::create()
                        .name(format!("{table}_parent_idx"))
                        .table(table)
                        .col("parent")
                        .col("sort_key")
                        .to_owned(),
                )
                .await?;
            manager
                .create_index(
                    Index::create()
                        .name(format!("{table}_unit_idx"))
                        .table(table)
                        .col("unit")
                        .col("sort_key")
                        .to_owned(),
                )
                .await?;
            manager
                .create_index(
                    Index::create()
                        .name(format!("{table}_state_idx"))
                        .table(table)
                        .col("state")
                        .col("sort_key")
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
