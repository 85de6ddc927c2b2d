//! The document control service (`eiso.documents.v1`, ISO 9001:2015 §7.5):
//! controlled documents with numbered revisions, review and approval,
//! publication, files in a content-addressed store, distribution with
//! acknowledgement, periodic review, and quality records with retention.

mod access;
mod acks;
mod blob_claims;
mod documents;
mod files;
mod grpc;
mod records;
mod register;
mod revisions;
mod rows;
mod table;

pub use eiso_platform::directory::{Directory, DirectoryUnit, DirectoryUser};
pub use grpc::DocumentApi;

use std::sync::Arc;

use eiso_blobs::BlobStore;
use eiso_platform::Journal;

/// Names of the service's storage (file name or PostgreSQL schema) and trail.
pub const SERVICE_NAME: &str = "documents";

/// Limits of the service.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest file accepted.
    pub max_file_bytes: u64,
    /// Size of the chunks a download is sent in.
    pub chunk_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_file_bytes: 1 << 30,
            chunk_bytes: 256 * 1024,
        }
    }
}

/// The service: storage, files, and what it needs to know of identity.
#[derive(Clone)]
pub struct Documents {
    journal: Journal,
    blobs: BlobStore,
    directory: Arc<dyn Directory>,
    limits: Limits,
}

impl Documents {
    pub fn new(journal: Journal, blobs: BlobStore, directory: Arc<dyn Directory>, limits: Limits) -> Self {
        Self {
            journal,
            blobs,
            directory,
            limits,
        }
    }

    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    /// The bounds on files (largest upload, download chunk size).
    pub fn limits(&self) -> &Limits {
        &self.limits
    }
}
