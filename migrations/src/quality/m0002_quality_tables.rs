use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::schema::{index, versioned};

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

crate::schema::migration!("m0002_quality_tables", |manager| {
    for table in TABLES {
        manager
            .create_table(
                versioned(
                    Table::create()
                        .table(table)
                        .col(text("id").primary_key())
                        .col(text("parent"))
                        .col(text("unit"))
                        .col(integer("state"))
                        .col(integer("kind"))
                        .col(text("sort_key"))
                        .col(blob("content")),
                )
                .to_owned(),
            )
            .await?;
        index(manager, &format!("{table}_parent_idx"), table, &["parent", "sort_key"]).await?;
        index(manager, &format!("{table}_unit_idx"), table, &["unit", "sort_key"]).await?;
        index(manager, &format!("{table}_state_idx"), table, &["state", "sort_key"]).await?;
    }
    Ok(())
});
