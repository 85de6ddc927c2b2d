//! The plans service's database: plans, their tasks (with evidence links),
//! targets and generated reports.

mod m0002_plan_tables;

use sea_orm_migration::prelude::*;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(crate::platform::CreatePlatformTables),
            Box::new(m0002_plan_tables::Migration),
        ]
    }
}
