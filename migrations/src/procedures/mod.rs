//! The procedures service's database: office calendars, the procedures
//! catalogue with its versions, dossiers and their code sequences.

mod m0002_procedure_tables;
mod m0003_statistics_indexes;
mod m0004_dossier_end_time;
mod m0005_period_indexes;
mod m0006_rating_codes;
mod m0007_dossier_counts;
mod m0008_dossier_sets;
mod m0009_applicant_types;

crate::schema::migrator!(
    m0002_procedure_tables,
    m0003_statistics_indexes,
    m0004_dossier_end_time,
    m0005_period_indexes,
    m0006_rating_codes,
    m0007_dossier_counts,
    m0008_dossier_sets,
    m0009_applicant_types
);
