//! The documents service's database: controlled documents, revisions, reviews,
//! files, acknowledgements and quality records.

mod m0002_document_tables;

crate::schema::migrator!(m0002_document_tables);
