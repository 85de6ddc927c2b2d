//! The documents service's database: controlled documents, revisions, reviews,
//! files, acknowledgements and quality records.

mod m0002_document_tables;
mod m0003_record_revisions;
mod m0004_issue_numbers;
mod m0005_blob_claims;

crate::schema::migrator!(
    m0002_document_tables,
    m0003_record_revisions,
    m0004_issue_numbers,
    m0005_blob_claims
);
