//! The documents service's database: controlled documents, revisions, reviews,
//! files, acknowledgements and quality records.

mod m0002_document_tables;

use sea_orm_migration::prelude::*;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(crate::platform::CreatePlatformTables),
            Box::new(m0002_document_tables::Migration),
        ]
    }
}
