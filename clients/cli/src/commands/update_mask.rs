//! The field mask of an update: the fields named by the flags given, and the
//! refusal of an update that names none.

use eiso_proto::prost_types::FieldMask;

use crate::error::CliError;

/// The fields an update sends, added as their flags are read.
#[derive(Debug, Default)]
pub struct UpdateMask {
    paths: Vec<String>,
}

impl UpdateMask {
    /// The update sends `path`.
    pub fn add(&mut self, path: &str) {
        self.paths.push(path.to_string());
    }

    /// The mask; a usage error naming the `flags` that could have been given
    /// when no field was added.
    pub fn or_refuse(self, flags: &str) -> Result<FieldMask, CliError> {
        if self.paths.is_empty() {
            return Err(CliError::Usage(format!(
                "nothing to update: give at least one of {flags}"
            )));
        }
        Ok(FieldMask { paths: self.paths })
    }
}

/// The paths of a request's mask, as the tests read them.
#[cfg(test)]
pub fn paths(mask: Option<&FieldMask>) -> Vec<&str> {
    mask.map(|mask| mask.paths.iter().map(String::as_str).collect())
        .unwrap_or_default()
}
