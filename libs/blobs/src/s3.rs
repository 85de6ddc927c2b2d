//! The blob store on S3-compatible object storage (AWS S3, MinIO, Garage,
//! Ceph RGW …), for replicas that share their files.
//!
//! Content-addressing makes two replicas' uploads of the same file safe even
//! where the store cannot copy conditionally: both write the same bytes, and
//! an S3 PUT or COPY replaces an object whole, so a reader sees the old copy
//! or the new one, never a mix. Where the store can (AWS S3 and MinIO accept
//! `If-None-Match: *` on a multipart upload's completion: `multipart`; R2 a
//! header), [`S3Location::copy_if_not_exists`] says how, and the second
//! upload finds the first's object instead of copying again.

use std::sync::Arc;

use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};

use crate::{BlobError, BlobStore};

/// Where the blobs are kept on S3-compatible storage.
#[derive(Clone, Default)]
pub struct S3Location {
    /// The bucket (created beforehand by the operator).
    pub bucket: String,
    /// The store's address (`http://127.0.0.1:9000`); `None`: AWS S3 in `region`.
    pub endpoint: Option<String>,
    /// The region (`us-east-1` for most S3-compatible stores).
    pub region: String,
    /// Path-style requests (`endpoint/bucket/key`), as most stores other than
    /// AWS want; otherwise virtual-hosted (`bucket.endpoint/key`).
    pub path_style: bool,
    /// Plain HTTP allowed (a store on the same private network).
    pub allow_http: bool,
    /// Credentials; `None`: the instance's or pod's role, where there is one.
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    pub session_token: Option<String>,
    /// How the store copies only if the target is absent, as object_store
    /// spells it (`multipart`, `header: cf-copy-destination-if-none-match: *`);
    /// `None`: a plain copy after a check (see the module's note).
    pub copy_if_not_exists: Option<String>,
}

impl std::fmt::Debug for S3Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Location")
            .field("bucket", &self.bucket)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("path_style", &self.path_style)
            .field("allow_http", &self.allow_http)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &self.secret_access_key.as_ref().map(|_| "<set>"))
            .field("session_token", &self.session_token.as_ref().map(|_| "<set>"))
            .field("copy_if_not_exists", &self.copy_if_not_exists)
            .finish()
    }
}

impl BlobStore {
    /// A store in the bucket of `location`. Nothing is sent yet: the first
    /// call finds out whether the bucket answers ([`BlobStore::check`]).
    pub fn s3(location: &S3Location) -> Result<Self, BlobError> {
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&location.bucket)
            .with_region(&location.region)
            .with_virtual_hosted_style_request(!location.path_style)
            .with_allow_http(location.allow_http);
        if let Some(endpoint) = &location.endpoint {
            builder = builder.with_endpoint(endpoint);
        }
        if let Some(key) = &location.access_key_id {
            builder = builder.with_access_key_id(key);
        }
        if let Some(secret) = &location.secret_access_key {
            builder = builder.with_secret_access_key(secret);
        }
        if let Some(token) = &location.session_token {
            builder = builder.with_token(token);
        }
        if let Some(mode) = &location.copy_if_not_exists {
            builder = builder.with_config(AmazonS3ConfigKey::CopyIfNotExists, mode);
        }
        let store = builder.build().map_err(|e| BlobError::Store(e.to_string()))?;
        Ok(Self::new(Arc::new(store)))
    }
}
