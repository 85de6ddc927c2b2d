use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::schema::{index, unique_index, versioned};

crate::schema::migration!("m0002_document_tables", |manager| {
    manager
        .create_table(
            versioned(
                Table::create()
                    .table("documents")
                    .col(text("id").primary_key())
                    .col(text("owner_unit"))
                    .col(text("code"))
                    .col(text("title"))
                    .col(integer("doc_type"))
                    .col(integer("confidentiality"))
                    .col(integer("review_interval_months"))
                    .col(text("tags"))
                    .col(text("external_origin"))
                    .col(integer("state"))
                    .col(integer("effective_revision"))
                    .col(integer("latest_revision"))
                    .col(timestamp_with_time_zone_null("next_review_time")),
            )
            .to_owned(),
        )
        .await?;
    unique_index(
        manager,
        "documents_owner_code_key",
        "documents",
        &["owner_unit", "code"],
    )
    .await?;

    manager
        .create_table(
            Table::create()
                .table("revisions")
                .col(text("document_id"))
                .col(integer("number"))
                .col(integer("state"))
                .col(text("change_summary"))
                .col(text("change_reason"))
                .col(text("author"))
                .col(integer("review_round"))
                .col(text_null("checked_out_by"))
                .col(timestamp_with_time_zone_null("checkout_time"))
                .col(timestamp_with_time_zone_null("submit_time"))
                .col(timestamp_with_time_zone_null("approve_time"))
                .col(timestamp_with_time_zone_null("effective_time"))
                .col(timestamp_with_time_zone_null("end_time"))
                .col(timestamp_with_time_zone("create_time"))
                .col(timestamp_with_time_zone("update_time"))
                .col(big_integer("version"))
                .primary_key(Index::create().col("document_id").col("number"))
                .to_owned(),
        )
        .await?;

    manager
        .create_table(
            Table::create()
                .table("reviews")
                .col(text("document_id"))
                .col(integer("number"))
                .col(integer("round"))
                .col(text("reviewer"))
                .col(integer("decision"))
                .col(text("comment"))
                .col(timestamp_with_time_zone_null("decide_time"))
                .primary_key(
                    Index::create()
                        .col("document_id")
                        .col("number")
                        .col("round")
                        .col("reviewer"),
                )
                .to_owned(),
        )
        .await?;

    // Files of revisions (`parent` = `documents/{id}/revisions/{n}`) and of
    // records (`records/{id}`); the content is in the blob store.
    manager
        .create_table(
            Table::create()
                .table("files")
                .col(text("id").primary_key())
                .col(text("parent"))
                .col(text("file_name"))
                .col(text("content_type"))
                .col(big_integer("size"))
                .col(text("sha256"))
                .col(boolean("destroyed"))
                .col(timestamp_with_time_zone("create_time"))
                .to_owned(),
        )
        .await?;
    index(manager, "files_parent_idx", "files", &["parent"]).await?;

    // Who was asked to read a published revision (fixed at publication)
    // and who has.
    manager
        .create_table(
            Table::create()
                .table("acknowledgements")
                .col(text("document_id"))
                .col(integer("number"))
                .col(text("user_name"))
                .col(text("display_name"))
                .col(boolean("required"))
                .col(timestamp_with_time_zone_null("acknowledge_time"))
                .primary_key(Index::create().col("document_id").col("number").col("user_name"))
                .to_owned(),
        )
        .await?;

    manager
        .create_table(
            versioned(
                Table::create()
                    .table("records")
                    .col(text("id").primary_key())
                    .col(text("title"))
                    .col(text_null("document_id"))
                    .col(text("owner_unit"))
                    .col(integer("retention_months"))
                    .col(integer("disposition"))
                    .col(integer("state"))
                    .col(timestamp_with_time_zone_null("close_time"))
                    .col(timestamp_with_time_zone_null("retention_end_time"))
                    .col(text_null("disposition_act")),
            )
            .to_owned(),
        )
        .await?;
    index(
        manager,
        "records_retention_idx",
        "records",
        &["state", "retention_end_time"],
    )
    .await?;
    Ok(())
});
