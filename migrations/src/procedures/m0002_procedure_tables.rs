use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::schema::{index, unique_index, versioned};

crate::schema::migration!("m0002_procedure_tables", |manager| {
    // One calendar per agency; its years as JSON documents.
    manager
        .create_table(
            Table::create()
                .table("calendars")
                .col(text("unit_id").primary_key())
                .col(text("settings"))
                .col(timestamp_with_time_zone("update_time"))
                .col(big_integer("version"))
                .to_owned(),
        )
        .await?;
    manager
        .create_table(
            Table::create()
                .table("calendar_years")
                .col(text("unit_id"))
                .col(integer("year"))
                .col(text("data"))
                .col(timestamp_with_time_zone("update_time"))
                .col(big_integer("version"))
                .primary_key(Index::create().col("unit_id").col("year"))
                .to_owned(),
        )
        .await?;

    manager
        .create_table(
            versioned(
                Table::create()
                    .table("procedures")
                    .col(text("code").primary_key())
                    .col(integer("state"))
                    .col(integer("published_version"))
                    .col(integer("latest_version"))
                    // Of the version shown (published, else the latest draft),
                    // for filtering the catalogue.
                    .col(text("agency"))
                    .col(text("field"))
                    .col(integer("level")),
            )
            .to_owned(),
        )
        .await?;
    // The content of a version is its protobuf encoding: exactly what was
    // published, immutable once published.
    manager
        .create_table(
            Table::create()
                .table("procedure_versions")
                .col(text("code"))
                .col(integer("number"))
                .col(integer("state"))
                .col(text("agency"))
                .col(text("field"))
                .col(integer("level"))
                .col(blob("content"))
                .col(timestamp_with_time_zone_null("publish_time"))
                .col(timestamp_with_time_zone("create_time"))
                .col(timestamp_with_time_zone("update_time"))
                .col(big_integer("version"))
                .primary_key(Index::create().col("code").col("number"))
                .to_owned(),
        )
        .await?;

    // Dossier codes: a sequence per agency per local day, never reused.
    manager
        .create_table(
            Table::create()
                .table("dossier_sequences")
                .col(text("agency"))
                .col(text("day"))
                .col(integer("last"))
                .primary_key(Index::create().col("agency").col("day"))
                .to_owned(),
        )
        .await?;

    manager
        .create_table(
            Table::create()
                .table("dossiers")
                .col(text("id").primary_key())
                .col(text("code"))
                .col(text("agency"))
                .col(text("procedure_code"))
                .col(integer("procedure_version"))
                .col(integer("status"))
                .col(integer("channel"))
                // Personal data: kept in its own columns so that it is
                // never part of a payload by accident.
                .col(text("applicant_name"))
                .col(text("applicant_id_number"))
                .col(text("applicant_phone"))
                .col(text("applicant_address"))
                .col(text("applicant_email"))
                .col(text("summary"))
                .col(text("documents"))
                .col(timestamp_with_time_zone("receive_time"))
                .col(timestamp_with_time_zone_null("due_time"))
                .col(timestamp_with_time_zone_null("appointment_time"))
                .col(integer("current_step"))
                .col(text("assignee"))
                .col(text("handovers"))
                .col(text("supplements"))
                .col(text_null("extension"))
                .col(timestamp_with_time_zone_null("complete_time"))
                .col(text("result_summary"))
                .col(boolean("result_digitised"))
                .col(timestamp_with_time_zone_null("return_time"))
                .col(integer("satisfaction"))
                .col(integer("outcome"))
                .col(text("history"))
                .col(timestamp_with_time_zone("update_time"))
                .col(big_integer("version"))
                .to_owned(),
        )
        .await?;
    unique_index(manager, "dossiers_code_key", "dossiers", &["code"]).await?;
    index(
        manager,
        "dossiers_agency_receive_idx",
        "dossiers",
        &["agency", "receive_time"],
    )
    .await?;
    index(manager, "dossiers_receive_idx", "dossiers", &["receive_time"]).await?;
    index(manager, "dossiers_status_due_idx", "dossiers", &["status", "due_time"]).await?;
    index(manager, "dossiers_assignee_idx", "dossiers", &["assignee"]).await?;
    Ok(())
});
