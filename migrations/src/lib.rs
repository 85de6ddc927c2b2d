//! Schema migrations of every eiso service.
//!
//! Each service owns its own database (a SQLite file, or a PostgreSQL schema)
//! and so has its own migrator. Every migrator starts with the platform tables
//! ([`platform`]): the outbox, the audit trail, the idempotency keys and the
//! chain heads that serialise them.

pub mod documents;
pub mod identity;
pub mod notify;
pub mod plans;
pub mod platform;
pub mod procedures;
pub mod quality;
mod schema;
pub mod sync;

pub use sea_orm_migration;
