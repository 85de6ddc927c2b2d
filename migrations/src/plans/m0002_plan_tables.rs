use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::schema::{index, unique_index, versioned};

crate::schema::migration!("m0002_plan_tables", |manager| {
    // Each resource is stored as its protobuf encoding (`content`) plus
    // the columns lists filter and order on.
    manager
        .create_table(
            versioned(
                Table::create()
                    .table("plans")
                    .col(text("id").primary_key())
                    .col(integer("year"))
                    .col(text("issuing_unit"))
                    .col(blob("content")),
            )
            .to_owned(),
        )
        .await?;
    index(manager, "plans_unit_year_idx", "plans", &["issuing_unit", "year"]).await?;
    // `sort_key` orders numbers as the plan does (1, 1.1, 1.2, 2, 10).
    manager
        .create_table(
            Table::create()
                .table("plan_tasks")
                .col(text("plan_id"))
                .col(text("id"))
                .col(text("number"))
                .col(text("sort_key"))
                .col(text("parent_id"))
                .col(integer("status"))
                .col(blob("content"))
                .col(timestamp_with_time_zone("create_time"))
                .col(timestamp_with_time_zone("update_time"))
                .col(big_integer("version"))
                .primary_key(Index::create().col("plan_id").col("id"))
                .to_owned(),
        )
        .await?;
    unique_index(manager, "plan_tasks_number_key", "plan_tasks", &["plan_id", "number"]).await?;
    // Evidence links, for the reverse lookup (resource → tasks).
    manager
        .create_table(
            Table::create()
                .table("task_evidence")
                .col(text("resource"))
                .col(text("plan_id"))
                .col(text("task_id"))
                .col(text("sort_key"))
                .primary_key(Index::create().col("resource").col("plan_id").col("task_id"))
                .to_owned(),
        )
        .await?;
    manager
        .create_table(
            Table::create()
                .table("plan_targets")
                .col(text("plan_id"))
                .col(text("id"))
                .col(text("sort_key"))
                .col(blob("content"))
                .col(timestamp_with_time_zone("create_time"))
                .col(timestamp_with_time_zone("update_time"))
                .col(big_integer("version"))
                .primary_key(Index::create().col("plan_id").col("id"))
                .to_owned(),
        )
        .await?;
    // A periodic report's id is derived from its kind and period, so the
    // primary key makes it one per plan, kind and period.
    manager
        .create_table(
            Table::create()
                .table("plan_reports")
                .col(text("plan_id"))
                .col(text("id"))
                .col(integer("kind"))
                .col(text("cut_off"))
                .col(blob("content"))
                .col(blob("xlsx"))
                .col(text("html"))
                .col(timestamp_with_time_zone("create_time"))
                .primary_key(Index::create().col("plan_id").col("id"))
                .to_owned(),
        )
        .await?;
    Ok(())
});
