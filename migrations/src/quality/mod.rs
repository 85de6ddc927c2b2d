//! The quality service's database: inspection programmes and inspections,
//! audit programmes, audits and findings, corrective actions, management
//! reviews, and the ISO 18091 indicators, diagnostics and assessments.

mod m0002_quality_tables;

crate::schema::migrator!(m0002_quality_tables);
