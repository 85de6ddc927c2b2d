//! The procedures service's database: office calendars, the procedures
//! catalogue with its versions, dossiers and their code sequences.

mod m0002_procedure_tables;
mod m0003_statistics_indexes;

use sea_orm_migration::prelude::*;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(crate::platform::CreatePlatformTables),
            Box::new(m0002_procedure_tables::Migration),
            Box::new(m0003_statistics_indexes::Migration),
        ]
    }
}
