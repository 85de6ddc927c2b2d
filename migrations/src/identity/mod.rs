//! The identity service's database: organisation units, users, role bindings,
//! API clients, the token signing key, sign-in failures, and the replicas'
//! leases on background work.

mod m0002_identity_tables;
mod m0003_sign_in_failures;
mod m0004_unit_place_names;
mod m0005_unit_letterheads;
mod m0006_sign_in_failures_expiry;
mod m0007_leases;

crate::schema::migrator!(
    m0002_identity_tables,
    m0003_sign_in_failures,
    m0004_unit_place_names,
    m0005_unit_letterheads,
    m0006_sign_in_failures_expiry,
    m0007_leases
);
