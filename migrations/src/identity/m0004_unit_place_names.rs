use sea_orm_migration::prelude::*;

// The place name a unit's documents are dated at (địa danh): forms, reports
// and review packs print `Hải An, ngày … tháng … năm …`. Empty for the units
// there were: they take the nearest one above them, or none.
crate::schema::migration!("m0004_unit_place_names", |manager| {
    crate::schema::add_column(
        manager,
        "units",
        ColumnDef::new("place_name").text().not_null().default(""),
    )
    .await
});
