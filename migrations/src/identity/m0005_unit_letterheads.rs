use sea_orm_migration::prelude::*;

// How a unit's documents are numbered and signed (Nghị định 30/2020/NĐ-CP):
// its abbreviation in document symbols (`15/BC-PGDĐT`), and the title and
// name its head signs under. Empty for the units there were: reports print
// `15/BC` and `THỦ TRƯỞNG ĐƠN VỊ` until an administrator sets them.
crate::schema::migration!("m0005_unit_letterheads", |manager| {
    for column in ["document_symbol", "signer_title", "signer_name"] {
        crate::schema::add_column(manager, "units", ColumnDef::new(column).text().not_null().default("")).await?;
    }
    Ok(())
});
