use sea_orm_migration::prelude::*;

// Whether the applicant is a person, a business or an agency
// (eiso.procedures.v1.ApplicantType): how the forms address them, and what
// the national portal is told. Dossiers received before it were people's.
crate::schema::migration!("m0009_applicant_types", |manager| {
    crate::schema::add_column(
        manager,
        "dossiers",
        ColumnDef::new("applicant_type").integer().not_null().default(1),
    )
    .await
});
