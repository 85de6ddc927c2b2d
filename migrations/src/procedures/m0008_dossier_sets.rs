use sea_orm_migration::prelude::*;

// How many sets of the dossier (bộ hồ sơ) the applicant handed in: what the
// receipt (form 01) prints as "Số lượng hồ sơ". Dossiers received before it
// count one set, as nearly every procedure asks.
crate::schema::migration!("m0008_dossier_sets", |manager| {
    crate::schema::add_column(
        manager,
        "dossiers",
        ColumnDef::new("dossier_sets").integer().not_null().default(1),
    )
    .await
});
