//! Importing the catalogue from, and exporting it to, CSV and XLSX (the
//! table format itself is in [`crate::table`]). Each good row creates a
//! procedure, or drafts (and optionally publishes) a new version of one whose
//! content changed; each bad row is reported with its row and column, and
//! does not stop the others.

use eiso_platform::aip::list;
use eiso_platform::blocking;
use eiso_platform::scope::Scope;
use eiso_platform::{CallContext, ServiceError, ServiceResult};
use eiso_proto::eiso::procedures::v1 as pb;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};

use crate::Procedures;
use crate::catalogue::procedure_condition;
use crate::rows::procedures::find_procedure;
use crate::rows::versions::get_version;
use crate::rows::{PROCEDURE_COLUMNS, ProcedureRow};
use crate::table::{self, CatalogueRow, TableError};

fn table_error(error: TableError) -> ServiceError {
    match error {
        TableError::Write { .. } => ServiceError::internal(error),
        TableError::Unexportable { .. } => ServiceError::precondition("UNEXPORTABLE", "procedures", error.to_string()),
        other => ServiceError::invalid("content", other.to_string()),
    }
}

/// The table column of an API field (`version.agency` → `Cơ quan thực hiện`).
fn column_of(field: &str) -> String {
    let key = field.strip_prefix("version.").unwrap_or(field);
    let key = key.split(['.', '[']).next().unwrap_or(key);
    table::COLUMN_KEYS
        .iter()
        .position(|k| *k == key)
        .and_then(|i| table::COLUMNS.get(i))
        .map(|title| title.to_string())
        .unwrap_or_else(|| field.to_string())
}

/// A service error on one row, as the import reports it.
fn row_error(row: i32, error: ServiceError) -> Vec<pb::ImportRowError> {
    match error {
        ServiceError::InvalidArgument(violations) => violations
            .into_iter()
            .map(|v| pb::ImportRowError {
                row,
                column: column_of(&v.field),
                description: v.description,
            })
            .collect(),
        other => vec![pb::ImportRowError {
            row,
            column: String::new(),
            description: other.to_string(),
        }],
    }
}

/// ExportProcedures: the published catalogue, filtered as ListProcedures is
/// (but for the state).
const EXPORT: list::Spec = list::Spec::new(&["field", "agency", "level"], &["code"], "code");

/// Row errors an import answer lists; `error_count` has them all.
const MAX_LISTED_ROW_ERRORS: usize = 100;

impl Procedures {
    pub async fn import_procedures(
        &self,
        ctx: &CallContext,
        request: pb::ImportProceduresRequest,
    ) -> ServiceResult<pb::ImportProceduresResponse> {
        let format = pb::TableFormat::try_from(request.format).unwrap_or(pb::TableFormat::Unspecified);
        let content = request.content;
        let rows = blocking::run(move || table::import(format, &content))
            .await?
            .map_err(table_error)?;
        // Rows are imported only for the agencies the caller's editing roles cover.
        let scope = Scope::of_method(self.directory.as_ref(), ctx).await?;
        let mut response = pb::ImportProceduresResponse::default();
        let refuse = |response: &mut pb::ImportProceduresResponse, errors: Vec<pb::ImportRowError>| {
            response.error_count += errors.len() as i32;
            let room = MAX_LISTED_ROW_ERRORS.saturating_sub(response.errors.len());
            response.errors.extend(errors.into_iter().take(room));
        };
        for parsed in rows {
            let row = match parsed.result {
                Ok(row) => row,
                Err(errors) => {
                    refuse(&mut response, errors);
                    continue;
                }
            };
            match self
                .import_row(ctx, &scope, &row, request.publish, request.validate_only)
                .await
            {
                Ok(Imported::Created) => response.created += 1,
                Ok(Imported::Versioned) => response.versioned += 1,
                Ok(Imported::Unchanged) => response.unchanged += 1,
                Err(error) => refuse(&mut response, row_error(parsed.row, error)),
            }
        }
        Ok(response)
    }

    async fn import_row(
        &self,
        ctx: &CallContext,
        scope: &Scope,
        row: &CatalogueRow,
        publish: bool,
        validate_only: bool,
    ) -> ServiceResult<Imported> {
        let db = self.journal.db().reader();
        let existing = find_procedure(db, &row.code).await?;
        let name = format!("procedures/{}", row.code);
        // A row outside the caller's units is refused, never imported: both
        // the agency it names and the one that performs the procedure now.
        let agency = &row.version.agency;
        if !scope.covers(agency) && self.directory.unit(agency).await?.is_some() {
            return Err(ServiceError::invalid(
                "version.agency",
                format!("{agency} is outside the units your role covers: the row is not imported"),
            ));
        }
        if let Some(existing) = &existing
            && !scope.covers(&existing.agency)
        {
            return Err(ServiceError::invalid(
                "version.agency",
                format!(
                    "{name} belongs to {}, outside the units your role covers: the row is not imported",
                    existing.agency
                ),
            ));
        }
        let Some(existing) = existing else {
            if validate_only {
                self.check_content(&row.version).await?;
                return Ok(Imported::Created);
            }
            let created = self
                .create_procedure(
                    ctx,
                    pb::CreateProcedureRequest {
                        code: row.code.clone(),
                        version: Some(row.version.clone()),
                        request_id: String::new(),
                    },
                )
                .await?;
            if publish && let Some(version) = created.version {
                self.publish_version(ctx, pb::PublishProcedureVersionRequest { name: version.name })
                    .await?;
            }
            return Ok(Imported::Created);
        };
        let current = get_version(db, &row.code, existing.latest_version).await?;
        if CatalogueRow::new(&row.code, &current.content) == *row {
            if publish && current.is_draft() && !validate_only {
                self.publish_version(ctx, pb::PublishProcedureVersionRequest { name: current.name() })
                    .await?;
                return Ok(Imported::Versioned);
            }
            return Ok(Imported::Unchanged);
        }
        if validate_only {
            self.check_content(&row.version).await?;
            return Ok(Imported::Versioned);
        }
        let draft_name = if current.is_draft() {
            current.name()
        } else {
            self.create_version(ctx, pb::CreateProcedureVersionRequest { parent: name })
                .await?
                .name
        };
        self.update_version(
            ctx,
            pb::UpdateProcedureVersionRequest {
                version: Some(pb::ProcedureVersion {
                    name: draft_name.clone(),
                    ..row.version.clone()
                }),
                etag: String::new(),
            },
        )
        .await?;
        if publish {
            self.publish_version(ctx, pb::PublishProcedureVersionRequest { name: draft_name })
                .await?;
        }
        Ok(Imported::Versioned)
    }

    pub async fn export_procedures(
        &self,
        request: pb::ExportProceduresRequest,
    ) -> ServiceResult<pb::ExportProceduresResponse> {
        let format = pb::TableFormat::try_from(request.format).unwrap_or(pb::TableFormat::Unspecified);
        let listing = list::Listing::parse(&EXPORT, 0, "", &request.filter, "")?;
        let db = self.journal.db().reader();
        let mut query = Query::select();
        query
            .columns(PROCEDURE_COLUMNS)
            .from("procedures")
            .and_where(Expr::col("state").eq(pb::procedure::State::Published as i32));
        listing.filter(&mut query, procedure_condition)?;
        query.order_by("code", Order::Asc);
        let mut rows = Vec::new();
        for row in db.query_all(&query).await? {
            let procedure = ProcedureRow::from_row(&row)?;
            let version = get_version(db, &procedure.code, procedure.published_version).await?;
            rows.push(CatalogueRow::new(procedure.code, &version.content));
        }
        let extension = match format {
            pb::TableFormat::Csv => "csv",
            pb::TableFormat::Xlsx => "xlsx",
            pb::TableFormat::Unspecified => return Err(ServiceError::invalid("format", "is required: CSV or XLSX")),
        };
        let content = blocking::run(move || match format {
            pb::TableFormat::Xlsx => table::export_xlsx(&rows),
            _ => table::export_csv(&rows),
        })
        .await?
        .map_err(table_error)?;
        Ok(pb::ExportProceduresResponse {
            content,
            file_name: format!("thu-tuc-hanh-chinh.{extension}"),
        })
    }
}

enum Imported {
    Created,
    Versioned,
    Unchanged,
}
