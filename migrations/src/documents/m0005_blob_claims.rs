use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

// Claims on stored content between replicas sharing one file store: an
// upload holds the content it is about to refer to, a sweep of content no
// file refers to takes it (claimant `sweep`) before deleting it; each looks
// for the other's claim after writing its own.
crate::schema::migration!("m0005_blob_claims", |manager| {
    manager
        .create_table(
            Table::create()
                .table("blob_claims")
                .col(text("digest"))
                .col(text("claimant"))
                .col(big_integer("at_us"))
                .primary_key(Index::create().col("digest").col("claimant"))
                .to_owned(),
        )
        .await
});
