//! Storage: a row type per table of the procedures database, with its column
//! list and its SQL (read, insert, save under the row's version). The
//! service files work on these rows; a schema change is made here.
//!
//! - [`procedures`]: the catalogue (`procedures`), each procedure with the
//!   columns a list filters on;
//! - [`versions`]: its versions (`procedure_versions`), each the protobuf
//!   encoding of its content;
//! - [`dossiers`]: dossiers (`dossiers`) and their code sequences
//!   (`dossier_sequences`); what the bulk seeder of `eiso-dossierbench`
//!   writes too;
//! - [`calendars`]: agencies' calendar settings (`calendars`) and confirmed
//!   years (`calendar_years`).

pub mod calendars;
pub mod dossiers;
pub mod procedures;
pub mod versions;

pub use calendars::{CalendarRow, CalendarYearRow};
pub use dossiers::{DOSSIER_COLUMNS, DossierRow};
pub use procedures::{PROCEDURE_COLUMNS, ProcedureRow};
pub use versions::{VERSION_COLUMNS, VersionRow};

use eiso_platform::{ServiceError, ServiceResult};
use sea_orm::QueryResult;
use serde::{Deserialize, Serialize};

/// `value` as the JSON text a column holds.
fn json<T: Serialize>(value: &T) -> ServiceResult<String> {
    serde_json::to_string(value).map_err(ServiceError::internal)
}

/// The JSON text of `column` read back.
fn parse_json<T: for<'de> Deserialize<'de>>(row: &QueryResult, column: &str) -> ServiceResult<T> {
    let text: String = row.try_get("", column)?;
    serde_json::from_str(&text).map_err(ServiceError::internal)
}
