//! Failed sign-ins per (account, client address), shared by every replica:
//! the lockout backs off per address, so failures from one address never lock
//! the account for everyone else (the administrator included).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

crate::schema::migration!("m0003_sign_in_failures", |manager| {
    manager
        .create_table(
            Table::create()
                .table("sign_in_failures")
                .if_not_exists()
                // `user:{username}` or `client:{client id}`.
                .col(text("account"))
                // The client's IP address, or `unknown`.
                .col(text("address"))
                // Consecutive failures since the last success.
                .col(big_integer("failures"))
                .col(big_integer("last_failure_us"))
                // No attempt is checked before this instant.
                .col(big_integer("locked_until_us"))
                .primary_key(Index::create().col("account").col("address"))
                .to_owned(),
        )
        .await
});
