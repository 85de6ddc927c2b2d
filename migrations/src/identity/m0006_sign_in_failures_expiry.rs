//! Failed sign-ins are forgotten a day after the last one; the rows of pairs
//! that never signed in again are deleted then, oldest first, so that
//! guesses from many addresses do not grow the table without bound.

use sea_orm_migration::prelude::*;

crate::schema::migration!("m0006_sign_in_failures_expiry", |manager| {
    crate::schema::index(
        manager,
        "sign_in_failures_last_failure_idx",
        "sign_in_failures",
        &["last_failure_us"],
    )
    .await
});
