//! The plans service's database: plans, their tasks (with evidence links),
//! targets and generated reports.

mod m0002_plan_tables;
mod m0003_leases;

crate::schema::migrator!(m0002_plan_tables, m0003_leases);
