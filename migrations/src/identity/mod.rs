//! The identity service's database: organisation units, users, role bindings,
//! API clients and the token signing key.

mod m0002_identity_tables;
mod m0003_sign_in_failures;

use sea_orm_migration::prelude::*;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(crate::platform::CreatePlatformTables),
            Box::new(m0002_identity_tables::Migration),
            Box::new(m0003_sign_in_failures::Migration),
        ]
    }
}
