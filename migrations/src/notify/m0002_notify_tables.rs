use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::schema::index;

crate::schema::migration!("m0002_notify_tables", |manager| {
    // The last event taken in (committed with the messages it made).
    manager
        .create_table(
            Table::create()
                .table("notify_cursors")
                .col(text("stream").primary_key())
                .col(big_integer("after_sequence"))
                .to_owned(),
        )
        .await?;
    // One row a message: keyed by its event and channel, so an event
    // taken in twice makes one message; kept after it is sent as the
    // record that it was.
    manager
        .create_table(
            Table::create()
                .table("notify_messages")
                .col(text("id").primary_key())
                .col(text("dossier"))
                .col(text("agency"))
                .col(big_integer("sequence"))
                .col(text("channel"))
                .col(text("kind"))
                .col(text("recipient"))
                .col(text("subject"))
                .col(text("body"))
                .col(integer("state"))
                .col(integer("attempts"))
                .col(text("last_error"))
                .col(big_integer_null("last_attempt_us"))
                .col(big_integer("next_attempt_us"))
                .col(big_integer("create_us"))
                .col(big_integer_null("sent_us"))
                .to_owned(),
        )
        .await?;
    index(
        manager,
        "notify_messages_due_idx",
        "notify_messages",
        &["state", "next_attempt_us"],
    )
    .await?;
    index(
        manager,
        "notify_messages_line_idx",
        "notify_messages",
        &["dossier", "channel", "sequence"],
    )
    .await
});
