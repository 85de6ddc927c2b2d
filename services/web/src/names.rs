//! People read names, not ids: the display names of units, users and
//! procedures a page mentions, and the codes of its dossiers, each looked up
//! once per page.

use std::collections::HashMap;

use eiso_platform::CallContext;
use eiso_proto::eiso::procedures::v1 as pb;

use crate::Web;

/// A page's lookups.
pub struct Names<'a> {
    web: &'a Web,
    units: HashMap<String, String>,
    users: HashMap<String, String>,
    procedures: HashMap<String, String>,
    dossiers: HashMap<String, Option<String>>,
}

impl<'a> Names<'a> {
    pub fn new(web: &'a Web) -> Self {
        Self {
            web,
            units: HashMap::new(),
            users: HashMap::new(),
            procedures: HashMap::new(),
            dossiers: HashMap::new(),
        }
    }

    /// A unit's display name (`units/{id}` itself when it cannot be found).
    pub async fn unit(&mut self, name: &str) -> String {
        if let Some(found) = self.units.get(name) {
            return found.clone();
        }
        let found = match self.web.directory().unit(name).await {
            Ok(Some(unit)) => unit.display_name,
            _ => name.to_string(),
        };
        self.units.insert(name.to_string(), found.clone());
        found
    }

    /// A user's display name (empty for none, the name itself when unknown).
    pub async fn user(&mut self, name: &str) -> String {
        if name.is_empty() {
            return String::new();
        }
        if let Some(found) = self.users.get(name) {
            return found.clone();
        }
        let found = match self.web.directory().user(name).await {
            Ok(Some(user)) => user.display_name,
            _ => name.to_string(),
        };
        self.users.insert(name.to_string(), found.clone());
        found
    }

    /// A procedure's title, from `procedures/{code}` or a version's name
    /// `procedures/{code}/versions/{n}` (the code when it cannot be found).
    pub async fn procedure(&mut self, name: &str) -> String {
        let procedure = procedure_of(name);
        if let Some(found) = self.procedures.get(procedure) {
            return found.clone();
        }
        let found = match self
            .web
            .procedures()
            .get_procedure(pb::GetProcedureRequest {
                name: procedure.to_string(),
            })
            .await
        {
            Ok(found) => found.version.map(|v| v.display_name).unwrap_or_default(),
            Err(_) => String::new(),
        };
        let found = if found.is_empty() {
            code_of(name).to_string()
        } else {
            found
        };
        self.procedures.insert(procedure.to_string(), found.clone());
        found
    }

    /// The code of the dossier `dossiers/{id}`, as its receipt prints it, for
    /// the person of `ctx` (`GetDossier`); `None` when they may not read it.
    pub async fn dossier(&mut self, ctx: &CallContext, name: &str) -> Option<String> {
        if let Some(found) = self.dossiers.get(name) {
            return found.clone();
        }
        let request = pb::GetDossierRequest { name: name.to_string() };
        let found = match self.web.procedures().get_dossier(ctx, request).await {
            Ok(dossier) => Some(dossier.code),
            Err(error) => {
                if !matches!(
                    error,
                    eiso_platform::ServiceError::NotFound(_) | eiso_platform::ServiceError::PermissionDenied(_)
                ) {
                    tracing::warn!(dossier = name, %error, "cannot read a dossier's code");
                }
                None
            }
        };
        self.dossiers.insert(name.to_string(), found.clone());
        found
    }
}

/// `procedures/{code}` of a version's name.
pub fn procedure_of(name: &str) -> &str {
    match name.find("/versions/") {
        Some(end) => &name[..end],
        None => name,
    }
}

/// The national code of `procedures/{code}[/versions/{n}]`.
pub fn code_of(name: &str) -> &str {
    procedure_of(name).trim_start_matches("procedures/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_names_its_procedure() {
        assert_eq!(procedure_of("procedures/1.004492/versions/3"), "procedures/1.004492");
        assert_eq!(code_of("procedures/1.004492/versions/3"), "1.004492");
        assert_eq!(code_of("procedures/2.002481"), "2.002481");
    }
}
