//! Who may read what: a document's confidentiality, checked inside queries so
//! that lists and pages never show what the caller may not see.

use eiso_platform::{Principal, ServiceError, ServiceResult};
use eiso_proto::eiso::documents::v1::Confidentiality;
use eiso_proto::eiso::identity::v1::Role;
use sea_orm::sea_query::{Expr, ExprTrait};

use crate::Documents;
use crate::rows::DocumentRow;

/// Roles that see restricted documents of every unit.
const OVERSIGHT: [Role; 4] = [
    Role::DocumentController,
    Role::Leader,
    Role::InternalAuditor,
    Role::Admin,
];

/// What a caller may read.
pub enum Visibility {
    Everything,
    /// Public and internal documents, and restricted ones of these units.
    Units(Vec<String>),
}

impl Documents {
    pub async fn visibility(&self, principal: &Principal) -> ServiceResult<Visibility> {
        if principal.roles().any(|role| OVERSIGHT.contains(&role)) {
            return Ok(Visibility::Everything);
        }
        let mut units = Vec::new();
        for (_, unit) in &principal.bindings {
            for ancestor in self.directory.ancestors(unit).await? {
                if !units.contains(&ancestor) {
                    units.push(ancestor);
                }
            }
        }
        Ok(Visibility::Units(units))
    }

    /// NOT_FOUND (not PERMISSION_DENIED: its existence is not disclosed)
    /// unless the caller may read `document`.
    pub async fn ensure_readable(&self, principal: &Principal, document: &DocumentRow) -> ServiceResult<()> {
        if document.confidentiality != Confidentiality::Restricted as i32 {
            return Ok(());
        }
        match self.visibility(principal).await? {
            Visibility::Everything => Ok(()),
            Visibility::Units(units) if units.contains(&document.owner_unit) => Ok(()),
            Visibility::Units(_) => Err(ServiceError::NotFound(document.name())),
        }
    }
}

impl Visibility {
    /// The condition on `documents` rows that the caller may read.
    pub fn condition(&self) -> Option<Expr> {
        match self {
            Visibility::Everything => None,
            Visibility::Units(units) => Some(
                Expr::col("confidentiality")
                    .ne(Confidentiality::Restricted as i32)
                    .or(Expr::col("owner_unit").is_in(units.clone())),
            ),
        }
    }
}
