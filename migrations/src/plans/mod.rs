//! The plans service's database: plans, their tasks (with evidence links),
//! targets and generated reports.

mod m0002_plan_tables;

crate::schema::migrator!(m0002_plan_tables);
