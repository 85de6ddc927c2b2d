//! What the outward deliveries (the national portal's sync, the applicants'
//! notifications) read of a dossier besides its event: the applicant, which
//! events never carry, and the names of its procedure and agency from the
//! catalogue and the directory. They read as the server itself: they serve
//! every agency's dossiers.

use std::sync::Arc;

use eiso_platform::ServiceResult;
use eiso_platform::directory::Directory;
use eiso_procedures::Procedures;
use eiso_proto::eiso::procedures::v1::{Applicant, Dossier, GetDossierRequest, GetProcedureRequest};

/// The procedure a dossier was received under, and its agency, by name.
#[derive(Debug, Clone, Default)]
pub struct CatalogueNames {
    /// The procedure's local code (`1.004492`).
    pub procedure_code: String,
    pub procedure_name: String,
    /// The procedure's field (lĩnh vực).
    pub field: String,
    pub agency_name: String,
}

#[derive(Clone)]
pub struct DossierFacts {
    pub procedures: Procedures,
    pub directory: Arc<dyn Directory>,
}

impl DossierFacts {
    /// The applicant as the dossier has them now.
    pub async fn applicant(&self, dossier: &Dossier) -> ServiceResult<Option<Applicant>> {
        let ctx = eiso_platform::CallContext::system("/eiso.procedures.v1.DossierService/GetDossier");
        let current = self
            .procedures
            .get_dossier(
                &ctx,
                GetDossierRequest {
                    name: dossier.name.clone(),
                },
            )
            .await?;
        Ok(current.applicant)
    }

    /// The names of the dossier's procedure version and agency.
    pub async fn names(&self, dossier: &Dossier) -> ServiceResult<CatalogueNames> {
        let procedure = self
            .procedures
            .get_procedure(GetProcedureRequest {
                name: dossier.procedure_version.clone(),
            })
            .await?;
        let version = procedure.version.unwrap_or_default();
        let agency = self.directory.unit(&dossier.agency).await?;
        Ok(CatalogueNames {
            procedure_code: procedure.code,
            procedure_name: version.display_name,
            field: version.field,
            agency_name: agency.map(|unit| unit.display_name).unwrap_or_default(),
        })
    }

    /// A user's display name, empty when unknown.
    pub async fn user_name(&self, user: &str) -> String {
        match self.directory.user(user).await {
            Ok(Some(user)) => user.display_name,
            _ => String::new(),
        }
    }
}
