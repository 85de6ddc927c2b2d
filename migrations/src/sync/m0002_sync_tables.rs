use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::schema::index;

crate::schema::migration!("m0002_sync_tables", |manager| {
    // The last event of each followed stream taken in (committed with
    // what it brought, so a restart resumes after it).
    manager
        .create_table(
            Table::create()
                .table("sync_cursors")
                .col(text("stream").primary_key())
                .col(big_integer("after_sequence"))
                .to_owned(),
        )
        .await?;
    // One row a dossier: the newest change seen, the newest delivered,
    // whether the portal has it, and how delivery is going.
    manager
        .create_table(
            Table::create()
                .table("sync_dossiers")
                .col(text("dossier").primary_key())
                .col(text("code"))
                .col(text("agency"))
                .col(integer("state"))
                .col(big_integer("seen_sequence"))
                .col(big_integer("synced_sequence"))
                .col(boolean("portal_known"))
                .col(integer("attempts"))
                .col(text("last_error"))
                .col(big_integer_null("last_attempt_us"))
                .col(big_integer("next_attempt_us"))
                // When the oldest change not yet delivered was made: the lag.
                .col(big_integer_null("pending_since_us"))
                // When the dossier was received: the period it counts in.
                .col(big_integer_null("receive_time_us"))
                .to_owned(),
        )
        .await?;
    index(
        manager,
        "sync_dossiers_due_idx",
        "sync_dossiers",
        &["state", "next_attempt_us"],
    )
    .await?;
    index(
        manager,
        "sync_dossiers_received_idx",
        "sync_dossiers",
        &["agency", "receive_time_us"],
    )
    .await?;
    // The changes not yet delivered, each the dossier as it was after it.
    manager
        .create_table(
            Table::create()
                .table("sync_changes")
                .col(text("dossier"))
                .col(big_integer("sequence"))
                .col(text("event_type"))
                .col(blob("payload"))
                .col(big_integer("create_time_us"))
                .primary_key(Index::create().col("dossier").col("sequence"))
                .to_owned(),
        )
        .await
});
