//! `[blob_store]`: where uploaded files are kept — a directory under
//! `data_dir` (the default), or a bucket of S3-compatible storage that
//! replicas share.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::ConfigError;

/// Which store keeps the files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BlobStoreKind {
    /// `data_dir/blobs`.
    #[default]
    Local,
    /// A bucket of S3-compatible storage.
    S3,
}

/// The file store's settings. The S3 credentials come from the environment
/// only (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`),
/// never from the file, and are never printed.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BlobStoreConfig {
    pub kind: BlobStoreKind,
    /// The bucket (`kind = "s3"`), created beforehand.
    pub bucket: String,
    /// The store's address; unset: AWS S3 in `region`.
    pub endpoint: Option<String>,
    pub region: String,
    /// `endpoint/bucket/key` requests (MinIO, Garage, Ceph) rather than
    /// `bucket.endpoint/key` (AWS).
    pub path_style: bool,
    /// Plain `http://` endpoints allowed.
    pub allow_http: bool,
    /// How the store copies only where nothing is yet, as object_store
    /// spells it: `multipart` (AWS S3, MinIO: If-None-Match on completing a
    /// multipart upload), `header: <name>: <value>` (Cloudflare R2), or
    /// `none` (a check then a copy: safe because files are stored by their
    /// content, but two replicas may both write the same bytes).
    pub copy_if_not_exists: String,
    #[serde(skip)]
    pub access_key_id: Option<String>,
    #[serde(skip)]
    pub secret_access_key: Option<String>,
    #[serde(skip)]
    pub session_token: Option<String>,
}

impl Default for BlobStoreConfig {
    fn default() -> Self {
        Self {
            kind: BlobStoreKind::Local,
            bucket: String::new(),
            endpoint: None,
            region: "us-east-1".into(),
            path_style: false,
            allow_http: false,
            copy_if_not_exists: "multipart".into(),
            access_key_id: None,
            secret_access_key: None,
            session_token: None,
        }
    }
}

impl std::fmt::Debug for BlobStoreConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobStoreConfig")
            .field("kind", &self.kind)
            .field("bucket", &self.bucket)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("path_style", &self.path_style)
            .field("allow_http", &self.allow_http)
            .field("copy_if_not_exists", &self.copy_if_not_exists)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &self.secret_access_key.as_ref().map(|_| "<set>"))
            .field("session_token", &self.session_token.as_ref().map(|_| "<set>"))
            .finish()
    }
}

/// The `EISO_*` variables of `[blob_store]`.
pub(super) const VARIABLES: &[&str] = &[
    "EISO_BLOB_STORE_KIND",
    "EISO_BLOB_STORE_BUCKET",
    "EISO_BLOB_STORE_ENDPOINT",
    "EISO_BLOB_STORE_REGION",
    "EISO_BLOB_STORE_PATH_STYLE",
    "EISO_BLOB_STORE_ALLOW_HTTP",
    "EISO_BLOB_STORE_COPY_IF_NOT_EXISTS",
];

fn boolean(name: &str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        other => Err(ConfigError::Env {
            name: name.to_string(),
            message: format!("expected `true` or `false`, got `{other}`"),
        }),
    }
}

impl BlobStoreConfig {
    /// Applies one of [`VARIABLES`].
    pub(super) fn apply_env(&mut self, name: &str, value: &str) -> Result<(), ConfigError> {
        let text = value.trim().to_string();
        match name {
            "EISO_BLOB_STORE_KIND" => {
                self.kind = match text.to_ascii_lowercase().as_str() {
                    "local" => BlobStoreKind::Local,
                    "s3" => BlobStoreKind::S3,
                    other => {
                        return Err(ConfigError::Env {
                            name: name.to_string(),
                            message: format!("expected `local` or `s3`, got `{other}`"),
                        });
                    }
                }
            }
            "EISO_BLOB_STORE_BUCKET" => self.bucket = text,
            "EISO_BLOB_STORE_ENDPOINT" => self.endpoint = Some(text).filter(|e| !e.is_empty()),
            "EISO_BLOB_STORE_REGION" => self.region = text,
            "EISO_BLOB_STORE_PATH_STYLE" => self.path_style = boolean(name, value)?,
            "EISO_BLOB_STORE_ALLOW_HTTP" => self.allow_http = boolean(name, value)?,
            _ => self.copy_if_not_exists = text,
        }
        Ok(())
    }

    /// Takes the S3 credentials from the standard AWS variables.
    pub(super) fn credentials_from(&mut self, env: &BTreeMap<String, String>) {
        let get = |name: &str| env.get(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        self.access_key_id = get("AWS_ACCESS_KEY_ID");
        self.secret_access_key = get("AWS_SECRET_ACCESS_KEY");
        self.session_token = get("AWS_SESSION_TOKEN");
    }

    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |field: &'static str, message: &str| {
            Err(ConfigError::Invalid {
                field,
                message: message.to_string(),
            })
        };
        if self.kind == BlobStoreKind::Local {
            return Ok(());
        }
        if self.bucket.trim().is_empty() {
            return invalid("blob_store.bucket", "is required when kind = \"s3\"");
        }
        if self.region.trim().is_empty() {
            return invalid("blob_store.region", "is required when kind = \"s3\"");
        }
        if let Some(endpoint) = &self.endpoint {
            if endpoint.starts_with("http://") && !self.allow_http {
                return invalid(
                    "blob_store.endpoint",
                    "is plain http: set allow_http = true for a store on a private network, or use https",
                );
            }
            if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
                return invalid("blob_store.endpoint", "must be an http:// or https:// address");
            }
        }
        let mode = self.copy_if_not_exists.trim();
        if !(mode == "multipart"
            || mode == "none"
            || mode.starts_with("header:")
            || mode.starts_with("header-with-status:"))
        {
            return invalid(
                "blob_store.copy_if_not_exists",
                "must be `multipart`, `none`, `header: NAME: VALUE` or `header-with-status: NAME: VALUE: STATUS`",
            );
        }
        if self.access_key_id.is_some() != self.secret_access_key.is_some() {
            return invalid(
                "blob_store",
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY go together: set both, or neither (the instance's role)",
            );
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::Config;
    use super::super::tests::env;
    use super::*;

    #[test]
    fn files_stay_on_the_local_disk_unless_a_bucket_is_named() {
        let config = Config::load(None, &env(&[])).unwrap();
        assert_eq!(config.blob_store.kind, BlobStoreKind::Local);
    }

    #[test]
    fn a_bucket_comes_from_the_environment_with_its_credentials_kept_secret() {
        let config = Config::load(
            None,
            &env(&[
                ("EISO_BLOB_STORE_KIND", "s3"),
                ("EISO_BLOB_STORE_BUCKET", "eiso-files"),
                ("EISO_BLOB_STORE_ENDPOINT", "http://minio:9000"),
                ("EISO_BLOB_STORE_PATH_STYLE", "true"),
                ("EISO_BLOB_STORE_ALLOW_HTTP", "true"),
                ("AWS_ACCESS_KEY_ID", "eiso"),
                ("AWS_SECRET_ACCESS_KEY", "very-secret-key"),
            ]),
        )
        .unwrap();
        let store = &config.blob_store;
        assert_eq!(store.kind, BlobStoreKind::S3);
        assert_eq!(store.bucket, "eiso-files");
        assert_eq!(store.endpoint.as_deref(), Some("http://minio:9000"));
        assert!(store.path_style && store.allow_http);
        assert_eq!(store.copy_if_not_exists, "multipart");
        assert_eq!(store.secret_access_key.as_deref(), Some("very-secret-key"));
        assert!(!format!("{config:?}").contains("very-secret-key"));
    }

    #[test]
    fn an_incomplete_bucket_is_refused_with_the_key_named() {
        for (pairs, field) in [
            (vec![("EISO_BLOB_STORE_KIND", "s3")], "blob_store.bucket"),
            (
                vec![
                    ("EISO_BLOB_STORE_KIND", "s3"),
                    ("EISO_BLOB_STORE_BUCKET", "b"),
                    ("EISO_BLOB_STORE_ENDPOINT", "http://minio:9000"),
                ],
                "blob_store.endpoint",
            ),
            (
                vec![
                    ("EISO_BLOB_STORE_KIND", "s3"),
                    ("EISO_BLOB_STORE_BUCKET", "b"),
                    ("EISO_BLOB_STORE_COPY_IF_NOT_EXISTS", "sometimes"),
                ],
                "blob_store.copy_if_not_exists",
            ),
            (
                vec![
                    ("EISO_BLOB_STORE_KIND", "s3"),
                    ("EISO_BLOB_STORE_BUCKET", "b"),
                    ("AWS_ACCESS_KEY_ID", "only-the-id"),
                ],
                "blob_store",
            ),
        ] {
            match Config::load(None, &env(&pairs)) {
                Err(ConfigError::Invalid { field: named, .. }) => assert_eq!(named, field, "{pairs:?}"),
                other => panic!("{pairs:?}: expected {field} to be refused, got {other:?}"),
            }
        }
        assert!(matches!(
            Config::load(None, &env(&[("EISO_BLOB_STORE_KIND", "ftp")])),
            Err(ConfigError::Env { .. })
        ));
    }
}
