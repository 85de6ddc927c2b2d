use sea_orm_migration::prelude::*;

// The one-time code printed on the receipt with which the applicant rates the
// service on the public lookup page once the result is returned. Dossiers
// received before it have none: they are rated at the counter, as before.
crate::schema::migration!("m0006_rating_codes", |manager| {
    crate::schema::add_column(
        manager,
        "dossiers",
        ColumnDef::new("rating_code").string().not_null().default(""),
    )
    .await
});
