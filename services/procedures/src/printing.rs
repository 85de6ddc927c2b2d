//! RenderForm: the printable forms of a dossier (01–05) and an agency's
//! yearly register (06), from templates an office can override.

use std::collections::BTreeMap;

use eiso_platform::aip::names;
use eiso_platform::{CallContext, ServiceError, ServiceResult};
use eiso_proto::eiso::procedures::v1 as pb;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};

use crate::Procedures;
use crate::catalogue::parse_version;
use crate::forms::{self, FormContext, FormError, RegisterContext};
use crate::rows::versions::get_version;
use crate::rows::{DOSSIER_COLUMNS, DossierRow};

fn form_error(error: FormError) -> ServiceError {
    match error {
        FormError::NotADossierForm(_) => ServiceError::invalid("form", error.to_string()),
        other => ServiceError::internal(other),
    }
}

impl Procedures {
    /// Display names of the users a dossier names (history, hand-overs, assignee).
    async fn officer_names(&self, dossiers: &[pb::Dossier]) -> ServiceResult<BTreeMap<String, String>> {
        let mut names = BTreeMap::new();
        for dossier in dossiers {
            let people = dossier
                .history
                .iter()
                .map(|c| c.actor.as_str())
                .chain(
                    dossier
                        .handovers
                        .iter()
                        .flat_map(|h| [h.giver.as_str(), h.receiver.as_str()]),
                )
                .chain(std::iter::once(dossier.assignee.as_str()));
            for user in people {
                if user.starts_with("users/")
                    && !names.contains_key(user)
                    && let Some(found) = self.directory.user(user).await?
                {
                    names.insert(user.to_string(), found.display_name);
                }
            }
        }
        Ok(names)
    }

    /// Display names of the units a dossier's control slip names (the units
    /// its rows were given for: the counter for the intake).
    async fn unit_names(&self, dossier: &pb::Dossier) -> ServiceResult<BTreeMap<String, String>> {
        let mut names = BTreeMap::new();
        for unit in dossier.handovers.iter().map(|h| h.giver_unit.as_str()) {
            if unit.starts_with("units/")
                && !names.contains_key(unit)
                && let Some(found) = self.directory.unit(unit).await?
            {
                names.insert(unit.to_string(), found.display_name);
            }
        }
        Ok(names)
    }

    pub async fn render_form(
        &self,
        ctx: &CallContext,
        request: pb::RenderFormRequest,
    ) -> ServiceResult<pb::RenderFormResponse> {
        let form = pb::Form::try_from(request.form).unwrap_or(pb::Form::Unspecified);
        match form {
            pb::Form::Unspecified => Err(ServiceError::invalid(
                "form",
                "is required: FORM_RECEIPT … FORM_REGISTER",
            )),
            pb::Form::Register => self.render_register(ctx, request).await,
            _ => {
                // As the caller's RenderForm: NOT_FOUND outside the units its
                // processing roles cover, so the receipt's personal data
                // never shows there.
                let dossier = self
                    .get_dossier(
                        ctx,
                        pb::GetDossierRequest {
                            name: request.dossier.clone(),
                        },
                    )
                    .await?;
                if dossier.applicant.is_none() {
                    return Err(ServiceError::PermissionDenied(
                        "printing a form needs a role that sees the applicant's data".into(),
                    ));
                }
                if let Some(why) = forms::does_not_apply(form, &dossier) {
                    return Err(ServiceError::precondition(
                        "FORM_DOES_NOT_APPLY",
                        dossier.name.clone(),
                        format!("{} cannot be printed for {}: {why}", form.as_str_name(), dossier.name),
                    ));
                }
                let (code, number) = parse_version(&dossier.procedure_version, "dossier")?;
                let procedure = get_version(self.journal.db().reader(), &code, number).await?.to_proto();
                let agency = self
                    .directory
                    .unit(&dossier.agency)
                    .await?
                    .ok_or_else(|| ServiceError::NotFound(dossier.agency.clone()))?;
                let officer_names = self.officer_names(std::slice::from_ref(&dossier)).await?;
                let unit_names = self.unit_names(&dossier).await?;
                let file_name = forms::file_name(form, &dossier.code);
                let rating_code =
                    crate::rows::dossiers::find_dossier_by(self.journal.db().reader(), "code", &dossier.code)
                        .await?
                        .map(|row| row.rating_code)
                        .unwrap_or_default();
                let context = FormContext {
                    dossier,
                    procedure,
                    agency_name: agency.display_name,
                    agency_code: agency.code,
                    place_name: agency.place_name,
                    officer_names,
                    unit_names,
                    issue_time: self.clock.now(),
                    public_url: self.public_url.clone(),
                    rating_code,
                };
                let html = forms::render(&self.templates, form, &context).map_err(form_error)?;
                Ok(pb::RenderFormResponse { html, file_name })
            }
        }
    }

    async fn render_register(
        &self,
        ctx: &CallContext,
        request: pb::RenderFormRequest,
    ) -> ServiceResult<pb::RenderFormResponse> {
        names::parse(&request.agency, "units", "agency")?;
        if !(2000..=2199).contains(&request.year) {
            return Err(ServiceError::invalid("year", "must be between 2000 and 2199"));
        }
        let agency = self
            .directory
            .unit(&request.agency)
            .await?
            .ok_or_else(|| ServiceError::invalid("agency", format!("{} does not exist", request.agency)))?;
        // The register shows every applicant's data: only the agencies the
        // caller's processing roles cover.
        self.require_agency_covered(ctx, &request.agency, "agency").await?;
        let from = crate::calendar::from_local(
            chrono::NaiveDate::from_ymd_opt(request.year, 1, 1)
                .unwrap_or_default()
                .and_time(chrono::NaiveTime::MIN),
        )
        .map_err(ServiceError::internal)?;
        let until = crate::calendar::from_local(
            chrono::NaiveDate::from_ymd_opt(request.year + 1, 1, 1)
                .unwrap_or_default()
                .and_time(chrono::NaiveTime::MIN),
        )
        .map_err(ServiceError::internal)?;
        let db = self.journal.db().reader();
        let rows = db
            .query_all(
                Query::select()
                    .columns(DOSSIER_COLUMNS)
                    .from("dossiers")
                    .and_where(Expr::col("agency").eq(request.agency.clone()))
                    .and_where(Expr::col("receive_time").gte(from))
                    .and_where(Expr::col("receive_time").lt(until))
                    .and_where(Expr::col("status").ne(pb::DossierStatus::NotReceived as i32))
                    .order_by("receive_time", Order::Asc)
                    .order_by("code", Order::Asc),
            )
            .await?;
        let mut dossiers = Vec::with_capacity(rows.len());
        let mut procedures = BTreeMap::new();
        for row in &rows {
            let dossier = DossierRow::from_row(row)?.to_proto(true);
            if !procedures.contains_key(&dossier.procedure_version) {
                let (code, number) = parse_version(&dossier.procedure_version, "dossier")?;
                let version = get_version(db, &code, number).await?;
                procedures.insert(dossier.procedure_version.clone(), version.content.display_name.clone());
            }
            dossiers.push(dossier);
        }
        let officer_names = self.officer_names(&dossiers).await?;
        let context = RegisterContext {
            agency_name: agency.display_name,
            year: request.year,
            dossiers,
            procedures,
            officer_names,
        };
        let html = forms::render_register(&self.templates, &context).map_err(form_error)?;
        Ok(pb::RenderFormResponse {
            html,
            file_name: forms::file_name(pb::Form::Register, &format!("{}-{}", agency.code, request.year)),
        })
    }
}
