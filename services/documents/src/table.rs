//! Tables whose rows are read and written whole: a row is its values in the
//! order of the table's columns, the first ones its key. Documents,
//! revisions and records are kept this way.

use eiso_platform::{ServiceError, ServiceResult, versioned};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DbErr, QueryResult, Value};

/// A table: its name, its columns, and how many of them (the first) are its
/// key.
pub struct Table<const N: usize> {
    pub name: &'static str,
    pub columns: [&'static str; N],
    pub key: usize,
}

impl<const N: usize> Table<N> {
    /// Inserts a row.
    pub async fn insert(&self, db: &impl ConnectionTrait, values: [Value; N]) -> Result<(), DbErr> {
        db.execute(
            Query::insert()
                .into_table(self.name)
                .columns(self.columns)
                .values_panic(values.map(Expr::from)),
        )
        .await?;
        Ok(())
    }

    /// Writes a row back, found by its key, as [`versioned::update`] does:
    /// only if it still has `version`, which it bumps (ABORTED naming `name`
    /// otherwise; a database error goes through `map_err`). `create_time`
    /// never changes.
    pub async fn save(
        &self,
        db: &impl ConnectionTrait,
        values: [Value; N],
        version: i64,
        name: &str,
        map_err: impl FnOnce(DbErr) -> ServiceError,
    ) -> ServiceResult<()> {
        let mut update = Query::update();
        update.table(self.name);
        let mut key = Vec::new();
        for (i, (column, value)) in self.columns.into_iter().zip(values).enumerate() {
            if i < self.key {
                key.push(Expr::col(column).eq(value));
            } else if column != "version" && column != "create_time" {
                update.value(column, value);
            }
        }
        for condition in key {
            update.and_where(condition);
        }
        versioned::update(db, update, version, name, map_err).await
    }

    /// The row whose single key column holds `id`; NOT_FOUND naming it as
    /// `name` when there is none.
    pub async fn get(
        &self,
        db: &impl ConnectionTrait,
        id: &str,
        name: impl FnOnce() -> String,
    ) -> ServiceResult<QueryResult> {
        db.query_one(
            Query::select()
                .columns(self.columns)
                .from(self.name)
                .and_where(Expr::col(self.columns[0]).eq(id.to_string())),
        )
        .await?
        .ok_or_else(|| ServiceError::NotFound(name()))
    }
}
