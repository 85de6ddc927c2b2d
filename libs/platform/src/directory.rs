//! What services need to know of users and units, asked of the identity
//! service through this trait (in `eiso-server`, an in-process adapter over
//! identity's public API; never its tables).

use std::future::Future;
use std::pin::Pin;

use eiso_proto::eiso::identity::v1::{Role, UnitKind};

use crate::ServiceResult;

/// A user as the directory knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryUser {
    /// `users/{id}`.
    pub name: String,
    pub display_name: String,
    pub active: bool,
}

/// How a unit's documents are numbered and signed (Nghị định 30/2020/NĐ-CP):
/// the unit's own, not inherited.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Letterhead {
    /// Its abbreviation in document symbols, e.g. `PGDĐT`; may be empty.
    pub document_symbol: String,
    /// The title its head signs under, e.g. `TRƯỞNG PHÒNG`; may be empty.
    pub signer_title: String,
    /// The name under the signature; may be empty.
    pub signer_name: String,
}

impl Letterhead {
    /// The title printed above the signature.
    pub fn signer_title(&self) -> &str {
        if self.signer_title.is_empty() {
            "THỦ TRƯỞNG ĐƠN VỊ"
        } else {
            &self.signer_title
        }
    }

    /// A document's number and symbol: `15/BC-PGDĐT` (`kind` is the
    /// document type's abbreviation, `BC` for a report), `15/BC` when the
    /// unit has no abbreviation. Numbers below 10 are written `01` … `09`,
    /// as the register starts the year "từ số 01" (Nghị định 30/2020/NĐ-CP,
    /// Điều 15).
    pub fn number(&self, number: i64, kind: &str) -> String {
        if self.document_symbol.is_empty() {
            format!("{number:02}/{kind}")
        } else {
            format!("{number:02}/{kind}-{}", self.document_symbol)
        }
    }
}

/// A unit as the directory knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryUnit {
    /// `units/{id}`.
    pub name: String,
    /// Its administrative code, e.g. `31-HAIAN-GDDT`.
    pub code: String,
    pub display_name: String,
    pub active: bool,
    /// Where its documents are dated (địa danh): its own, or the nearest
    /// unit's above it; empty when none has one.
    pub place_name: String,
    /// How its documents are numbered and signed.
    pub letterhead: Letterhead,
}

type Answer<'a, T> = Pin<Box<dyn Future<Output = ServiceResult<T>> + Send + 'a>>;

pub trait Directory: Send + Sync + 'static {
    /// The user, if it exists.
    fn user<'a>(&'a self, name: &'a str) -> Answer<'a, Option<DirectoryUser>>;
    /// The unit, if it exists.
    fn unit<'a>(&'a self, name: &'a str) -> Answer<'a, Option<DirectoryUnit>>;
    /// The active users holding any role on the unit or a unit below it.
    fn users_in_unit<'a>(&'a self, name: &'a str) -> Answer<'a, Vec<DirectoryUser>>;
    /// `unit` itself and the units above it, nearest first (`units/{id}`).
    fn ancestors<'a>(&'a self, unit: &'a str) -> Answer<'a, Vec<String>>;
    /// `unit` itself and every unit below it, whatever their state
    /// (`units/{id}`); empty for an unknown unit.
    fn subtree<'a>(&'a self, unit: &'a str) -> Answer<'a, Vec<String>>;
    /// The active units at or below `unit` whose kind is one of `kinds`,
    /// by display name (`units/{id}`); empty for an unknown unit.
    fn units_of_kinds<'a>(&'a self, unit: &'a str, kinds: &'a [UnitKind]) -> Answer<'a, Vec<String>>;
    /// The roles the user holds and where, as (role, `units/{id}`); empty
    /// for an unknown user. A binding covers its unit and those below it.
    fn bindings<'a>(&'a self, user: &'a str) -> Answer<'a, Vec<(Role, String)>>;
}
