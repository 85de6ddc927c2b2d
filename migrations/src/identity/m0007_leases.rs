use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

// Leases on background work that one replica at a time does (the periodic
// reports, the notifications, the portal sync): who holds each, until when.
crate::schema::migration!("m0007_leases", |manager| {
    manager
        .create_table(
            Table::create()
                .table("leases")
                .col(text("name").primary_key())
                .col(text("holder"))
                .col(big_integer("until_us"))
                .to_owned(),
        )
        .await
});
