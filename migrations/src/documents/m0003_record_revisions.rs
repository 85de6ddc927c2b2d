use sea_orm_migration::prelude::*;

// A closed record can be revised: a report re-issued when late entries change
// its figures keeps what was filed and adds the new files as the record's
// next revision, with who revised it, when and why (JSON, oldest first;
// empty for a record never revised).
crate::schema::migration!("m0003_record_revisions", |manager| {
    crate::schema::add_column(
        manager,
        "records",
        ColumnDef::new("revisions").text().not_null().default("[]"),
    )
    .await
});
