//! The quality service's database: inspection programmes and inspections,
//! audit programmes, audits and findings, corrective actions, management
//! reviews, and the ISO 18091 indicators, diagnostics and assessments.

mod m0002_quality_tables;

use sea_orm_migration::prelude::*;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(crate::platform::CreatePlatformTables),
            Box::new(m0002_quality_tables::Migration),
        ]
    }
}
