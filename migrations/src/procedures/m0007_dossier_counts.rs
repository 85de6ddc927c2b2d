use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

// Counts of dossiers kept beside the dossiers, by agency, procedure, figure
// and local day, changed in the same transaction as the dossier: what
// GetServiceStatistics and the period view read instead of scanning every
// dossier of the period (1.2 s for a year over 100,000 dossiers before). A
// figure's second day (`day2`, 0 when it has none) is the day a range of the
// figure is bounded by too: when a completed dossier ended, for its return.
// The service fills the table from the dossiers on its first start after
// this migration (`eiso_procedures::counts`). Two more indexes find the
// dossiers the current day's part of a period reads from its rows: those
// changed today, and those due today.
crate::schema::migration!("m0007_dossier_counts", |manager| {
    manager
        .create_table(
            Table::create()
                .table("dossier_counts")
                .col(text("agency"))
                .col(text("procedure_code"))
                .col(small_integer("figure"))
                .col(integer("day"))
                .col(integer("day2"))
                .col(integer("n"))
                .primary_key(
                    Index::create()
                        .col("agency")
                        .col("procedure_code")
                        .col("figure")
                        .col("day")
                        .col("day2"),
                )
                .to_owned(),
        )
        .await?;
    crate::schema::index(manager, "dossiers_update_idx", "dossiers", &["update_time"]).await?;
    crate::schema::index(manager, "dossiers_due_idx", "dossiers", &["due_time"]).await
});
