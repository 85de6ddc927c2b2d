//! The portal sync's database: where it is in the procedures service's event
//! stream, each dossier's sync state, and the changes not yet delivered.

mod m0002_sync_tables;
mod m0003_leases;

crate::schema::migrator!(m0002_sync_tables, m0003_leases);
