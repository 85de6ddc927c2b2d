//! The applicants' notifications: where the notifier is in the procedures
//! service's event stream, and the messages made from it.

mod m0002_notify_tables;
mod m0003_leases;

crate::schema::migrator!(m0002_notify_tables, m0003_leases);
