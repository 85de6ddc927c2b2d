//! What the migrations of every service write the same way: a migration's
//! name, a service's migrator, indexes, and the columns every versioned
//! resource table ends with.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// `migration!("m0002_x_tables", |manager| { ... })`: the `Migration` of a
/// migration file, its name and what it does (`up`, given the schema
/// manager). The name is what the migrations table records as applied, so
/// it never changes once released.
macro_rules! migration {
    ($name:literal, |$manager:ident| $up:block) => {
        pub struct Migration;

        impl sea_orm_migration::MigrationName for Migration {
            fn name(&self) -> &str {
                $name
            }
        }

        #[async_trait::async_trait]
        impl sea_orm_migration::MigrationTrait for Migration {
            async fn up(
                &self,
                $manager: &sea_orm_migration::SchemaManager,
            ) -> Result<(), sea_orm_migration::DbErr> $up
        }
    };
}

/// `migrator!(m0002_x_tables, m0003_y)`: a service's `Migrator`, which runs
/// the platform tables first, then the service's own migrations in order.
macro_rules! migrator {
    ($($migration:ident),+ $(,)?) => {
        pub struct Migrator;

        #[async_trait::async_trait]
        impl sea_orm_migration::MigratorTrait for Migrator {
            fn migrations() -> Vec<Box<dyn sea_orm_migration::MigrationTrait>> {
                vec![
                    Box::new(crate::platform::CreatePlatformTables),
                    $(Box::new($migration::Migration),)+
                ]
            }
        }
    };
}

pub(crate) use {migration, migrator};

/// Creates the `leases` table (`eiso_platform::lease`): who holds each
/// piece of background work that one replica at a time does, until when.
/// In the database of the service whose work it is.
pub async fn create_leases(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
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
}

/// Adds `column` to `table`.
pub async fn add_column(manager: &SchemaManager<'_>, table: &str, column: &mut ColumnDef) -> Result<(), DbErr> {
    manager
        .alter_table(Table::alter().table(table.to_owned()).add_column(column).to_owned())
        .await
}

/// Creates the index `name` on `table` over `columns`, in order.
pub async fn index(manager: &SchemaManager<'_>, name: &str, table: &str, columns: &[&str]) -> Result<(), DbErr> {
    manager.create_index(index_of(name, table, columns)).await
}

/// Creates the unique index `name` on `table` over `columns`, in order.
pub async fn unique_index(manager: &SchemaManager<'_>, name: &str, table: &str, columns: &[&str]) -> Result<(), DbErr> {
    manager
        .create_index(index_of(name, table, columns).unique().to_owned())
        .await
}

fn index_of(name: &str, table: &str, columns: &[&str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table.to_owned());
    for column in columns {
        index.col(String::from(*column));
    }
    index
}

/// The columns a versioned resource's table ends with: when it was created
/// and last changed, and the version optimistic concurrency checks.
pub fn versioned(table: &mut TableCreateStatement) -> &mut TableCreateStatement {
    table
        .col(timestamp_with_time_zone("create_time"))
        .col(timestamp_with_time_zone("update_time"))
        .col(big_integer("version"))
}
