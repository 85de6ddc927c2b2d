use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

// The register of issued documents: the last number a unit gave a document
// it issued in a year (reports `15/BC-PGDĐT`, numbered from 1 each year,
// Nghị định 30/2020/NĐ-CP).
crate::schema::migration!("m0004_issue_numbers", |manager| {
    manager
        .create_table(
            Table::create()
                .table("issue_numbers")
                .col(text("unit"))
                .col(integer("year"))
                .col(big_integer("last"))
                .primary_key(Index::create().col("unit").col("year"))
                .to_owned(),
        )
        .await
});
