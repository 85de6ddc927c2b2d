//! The organisation tree: create, read, list, update, rename, merge, dissolve.

use chrono::{DateTime, Utc};
use eiso_platform::aip::{etag, field_mask, list, names, text};
use eiso_platform::journal::{Begun, fingerprint};
use eiso_platform::{CallContext, NewEvent, ServiceError, ServiceResult, Violations, WriteTx};
use eiso_proto::eiso::identity::v1::{
    CreateUnitRequest, DissolveUnitRequest, ListUnitsRequest, ListUnitsResponse, MergeUnitsRequest, MergeUnitsResponse,
    RenameUnitRequest, Role, RoleBinding, Unit, UnitKind, UpdateUnitRequest, unit,
};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DatabaseTransaction};

use crate::Identity;
use crate::rows::{FormerName, UNIT_COLUMNS, UnitRow, find_unit, get_unit};
use crate::scope;

/// Unit codes: 1–32 of `A-Z a-z 0-9 . _ -`.
fn check_code(violations: &mut Violations, field: &str, code: &str) -> String {
    let code = code.trim().to_string();
    if code.is_empty() {
        violations.add(field, "is required");
    } else if code.len() > 32 || !code.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)) {
        violations.add(field, "must be 1–32 characters of letters, digits, `.`, `_` or `-`");
    }
    code
}

fn check_kind(violations: &mut Violations, field: &str, kind: i32) {
    match UnitKind::try_from(kind) {
        Ok(UnitKind::Unspecified) => violations.add(field, "is required"),
        Ok(_) => {}
        Err(_) => violations.add(field, format!("unknown unit kind {kind}")),
    }
}

/// The parent named by `parent` (empty: none), which must be active.
async fn active_parent(db: &impl ConnectionTrait, parent: &str, field: &str) -> ServiceResult<Option<UnitRow>> {
    let Some(id) = names::parse_optional(parent, "units", field)? else {
        return Ok(None);
    };
    let row = find_unit(db, &id)
        .await?
        .ok_or_else(|| ServiceError::invalid(field, format!("{parent} does not exist")))?;
    if !row.is_active() {
        return Err(ServiceError::precondition(
            "UNIT_NOT_ACTIVE",
            parent,
            format!(
                "{parent} ({}) is merged or dissolved and cannot take new children",
                row.display_name
            ),
        ));
    }
    Ok(Some(row))
}

/// Checks role bindings: known roles, existing active units; removes duplicates.
pub async fn check_bindings(
    db: &impl ConnectionTrait,
    bindings: &[RoleBinding],
    field: &str,
) -> ServiceResult<Vec<(Role, String)>> {
    let mut violations = Violations::new();
    let mut out: Vec<(Role, String)> = Vec::new();
    for (i, binding) in bindings.iter().enumerate() {
        let role = match Role::try_from(binding.role) {
            Ok(Role::Unspecified) => {
                violations.add(format!("{field}[{i}].role"), "is required");
                continue;
            }
            Ok(role) => role,
            Err(_) => {
                violations.add(format!("{field}[{i}].role"), format!("unknown role {}", binding.role));
                continue;
            }
        };
        let unit_field = format!("{field}[{i}].unit");
        let id = match names::parse(&binding.unit, "units", &unit_field) {
            Ok(id) => id,
            Err(ServiceError::InvalidArgument(v)) => {
                for v in v {
                    violations.add(v.field, v.description);
                }
                continue;
            }
            Err(other) => return Err(other),
        };
        match find_unit(db, &id).await? {
            None => violations.add(unit_field, format!("{} does not exist", binding.unit)),
            Some(unit) if !unit.is_active() => {
                violations.add(unit_field, format!("{} is merged or dissolved", binding.unit))
            }
            Some(_) => {
                let pair = (role, format!("units/{id}"));
                if !out.contains(&pair) {
                    out.push(pair);
                }
            }
        }
    }
    violations.check()?;
    out.sort();
    Ok(out)
}

/// Moves the active children and the role bindings of `from` to `to`.
async fn hand_over(txn: &DatabaseTransaction, from: &str, to: &str, now: chrono::DateTime<Utc>) -> ServiceResult<()> {
    txn.execute(
        Query::update()
            .table("units")
            .value("parent_id", to.to_string())
            .value("update_time", now)
            .value("version", Expr::col("version").add(1))
            .and_where(Expr::col("parent_id").eq(from.to_string()))
            .and_where(Expr::col("id").ne(to.to_string())),
    )
    .await?;
    // Bindings move to the successor unless the principal already has the same
    // role there (the primary key would refuse the duplicate).
    let rows = txn
        .query_all(
            Query::select()
                .columns(["principal_kind", "principal_id", "role"])
                .from("role_bindings")
                .and_where(Expr::col("unit_id").eq(from.to_string())),
        )
        .await?;
    for row in rows {
        let kind: String = row.try_get("", "principal_kind")?;
        let id: String = row.try_get("", "principal_id")?;
        let role: i32 = row.try_get("", "role")?;
        let exists = txn
            .query_one(
                Query::select()
                    .expr(Expr::val(1))
                    .from("role_bindings")
                    .and_where(Expr::col("principal_kind").eq(kind.clone()))
                    .and_where(Expr::col("principal_id").eq(id.clone()))
                    .and_where(Expr::col("role").eq(role))
                    .and_where(Expr::col("unit_id").eq(to.to_string())),
            )
            .await?
            .is_some();
        if !exists {
            txn.execute(
                Query::insert()
                    .into_table("role_bindings")
                    .columns(["principal_kind", "principal_id", "role", "unit_id"])
                    .values_panic([kind.into(), id.into(), role.into(), to.to_string().into()]),
            )
            .await?;
        }
    }
    txn.execute(
        Query::delete()
            .from_table("role_bindings")
            .and_where(Expr::col("unit_id").eq(from.to_string())),
    )
    .await?;
    Ok(())
}

/// The unit `id` read in `tx` for a change: the caller administers it, it
/// still has `etag`, and it is active.
async fn unit_to_change(tx: &WriteTx<'_>, ctx: &CallContext, id: &str, etag: &str) -> ServiceResult<UnitRow> {
    let row = get_unit(tx.txn(), id).await?;
    scope::require_admin_over(tx.txn(), &ctx.principal, Some(&row.id)).await?;
    etag::check(etag, &row.name(), row.version)?;
    row.ensure_active()?;
    Ok(row)
}

/// The end of a change to a unit: saved at `now`, its `event` queued with
/// the unit as answered, committed; the unit.
async fn commit_unit(mut tx: WriteTx<'_>, mut row: UnitRow, now: DateTime<Utc>, event: &str) -> ServiceResult<Unit> {
    row.save(tx.txn(), now).await?;
    let unit = row.to_proto();
    tx.event(NewEvent::with(event, &unit.name, &unit));
    tx.commit().await?;
    Ok(unit)
}

impl Identity {
    pub async fn create_unit(&self, ctx: &CallContext, request: CreateUnitRequest) -> ServiceResult<Unit> {
        let print = fingerprint(&request);
        let input = request.unit.unwrap_or_default();
        let mut violations = Violations::new();
        let code = check_code(&mut violations, "unit.code", &input.code);
        let display_name = text::clean(&mut violations, "unit.display_name", &input.display_name, true, 200);
        let place_name = text::clean(&mut violations, "unit.place_name", &input.place_name, false, 100);
        let letterhead = Letterhead::check(&mut violations, &input);
        check_kind(&mut violations, "unit.kind", input.kind);
        check_request_id(&mut violations, &ctx.request_id);
        violations.check()?;

        let mut tx = match self.journal.begin_idempotent::<Unit>(ctx, &print).await? {
            Begun::Fresh(tx) => *tx,
            Begun::Replayed(done) => return Ok(done),
        };
        let parent = active_parent(tx.txn(), &input.parent, "unit.parent").await?;
        scope::require_admin_over(tx.txn(), &ctx.principal, parent.as_ref().map(|p| p.id.as_str())).await?;
        let now = Utc::now();
        let row = UnitRow {
            place_name,
            document_symbol: letterhead.document_symbol,
            signer_title: letterhead.signer_title,
            signer_name: letterhead.signer_name,
            ..UnitRow::new_active(code, display_name, input.kind, parent.map(|p| p.id), now)
        };
        row.insert(tx.txn()).await?;
        let unit = row.to_proto();
        tx.event(NewEvent::with("identity.unit.created", &unit.name, &unit));
        tx.commit_idempotent(unit).await
    }

    pub async fn get_unit(&self, name: &str) -> ServiceResult<Unit> {
        let id = names::parse(name, "units", "name")?;
        Ok(get_unit(self.journal.db().reader(), &id).await?.to_proto())
    }

    pub async fn list_units(&self, request: ListUnitsRequest) -> ServiceResult<ListUnitsResponse> {
        const SPEC: list::Spec = list::Spec::new(
            &["code", "parent", "kind", "state"],
            &["code", "display_name", "create_time"],
            "code",
        );
        let listing = eiso_platform::listing!(&SPEC, request)?;
        let mut query = Query::select();
        query.columns(UNIT_COLUMNS).from("units");
        listing.filter(&mut query, |condition| {
            let value = &condition.value;
            Ok(match condition.field.as_str() {
                "code" => Expr::col("code").eq(value.clone()),
                "parent" if value.is_empty() => Expr::col("parent_id").is_null(),
                "parent" => Expr::col("parent_id").eq(names::parse(value, "units", "filter")?),
                "kind" => Expr::col("kind").eq(list::enum_value(
                    value,
                    "UNIT_KIND_",
                    "unit kind",
                    UnitKind::from_str_name,
                )?),
                _ => Expr::col("state").eq(list::enum_value(
                    value,
                    "STATE_",
                    "unit state",
                    unit::State::from_str_name,
                )?),
            })
        })?;
        listing.order_and_limit(&mut query, "id");
        let (rows, next_page_token) = listing.rows(self.journal.db().reader(), &query).await?;
        let units = rows
            .iter()
            .map(|r| UnitRow::from_row(r).map(|u| u.to_proto()))
            .collect::<ServiceResult<Vec<_>>>()?;
        Ok(ListUnitsResponse { units, next_page_token })
    }

    pub async fn update_unit(&self, ctx: &CallContext, request: UpdateUnitRequest) -> ServiceResult<Unit> {
        let input = request.unit.unwrap_or_default();
        let id = names::parse(&input.name, "units", "unit.name")?;
        let paths = field_mask::paths(
            request.update_mask.as_ref(),
            &[
                "display_name",
                "kind",
                "parent",
                "place_name",
                "document_symbol",
                "signer_title",
                "signer_name",
            ],
        )?;
        let mut violations = Violations::new();
        let display_name = text::clean(
            &mut violations,
            "unit.display_name",
            &input.display_name,
            paths.contains(&"display_name"),
            200,
        );
        if paths.contains(&"kind") {
            check_kind(&mut violations, "unit.kind", input.kind);
        }
        let place_name = text::clean(&mut violations, "unit.place_name", &input.place_name, false, 100);
        let letterhead = Letterhead::check(&mut violations, &input);
        violations.check()?;

        let tx = self.journal.begin(ctx).await?;
        let mut row = unit_to_change(&tx, ctx, &id, &request.etag).await?;
        if paths.contains(&"display_name") {
            row.display_name = display_name;
        }
        if paths.contains(&"kind") {
            row.kind = input.kind;
        }
        if paths.contains(&"place_name") {
            row.place_name = place_name;
        }
        if paths.contains(&"document_symbol") {
            row.document_symbol = letterhead.document_symbol;
        }
        if paths.contains(&"signer_title") {
            row.signer_title = letterhead.signer_title;
        }
        if paths.contains(&"signer_name") {
            row.signer_name = letterhead.signer_name;
        }
        if paths.contains(&"parent") {
            let parent = active_parent(tx.txn(), &input.parent, "unit.parent").await?;
            scope::require_admin_over(tx.txn(), &ctx.principal, parent.as_ref().map(|p| p.id.as_str())).await?;
            if let Some(parent) = &parent {
                // The new parent must not be the unit or one of its descendants.
                let mut cursor = Some(parent.clone());
                while let Some(ancestor) = cursor {
                    if ancestor.id == row.id {
                        return Err(ServiceError::invalid(
                            "unit.parent",
                            "would make the unit its own ancestor",
                        ));
                    }
                    cursor = match ancestor.parent_id {
                        Some(pid) => find_unit(tx.txn(), &pid).await?,
                        None => None,
                    };
                }
            }
            row.parent_id = parent.map(|p| p.id);
        }
        commit_unit(tx, row, Utc::now(), "identity.unit.updated").await
    }

    pub async fn rename_unit(&self, ctx: &CallContext, request: RenameUnitRequest) -> ServiceResult<Unit> {
        let id = names::parse(&request.name, "units", "name")?;
        let mut violations = Violations::new();
        let display_name = text::clean(&mut violations, "display_name", &request.display_name, false, 200);
        let code = if request.code.trim().is_empty() {
            String::new()
        } else {
            check_code(&mut violations, "code", &request.code)
        };
        if display_name.is_empty() && code.is_empty() {
            violations.add("display_name", "give a new display name, a new code, or both");
        }
        violations.check()?;
        let ctx = ctx.clone().with_reason(&request.reason);

        let tx = self.journal.begin(&ctx).await?;
        let mut row = unit_to_change(&tx, &ctx, &id, &request.etag).await?;
        let now = Utc::now();
        row.former_names.push(FormerName {
            code: row.code.clone(),
            display_name: row.display_name.clone(),
            change_time: now,
        });
        if !display_name.is_empty() {
            row.display_name = display_name;
        }
        if !code.is_empty() {
            row.code = code;
        }
        commit_unit(tx, row, now, "identity.unit.renamed").await
    }

    pub async fn merge_units(
        &self,
        ctx: &CallContext,
        request: MergeUnitsRequest,
    ) -> ServiceResult<MergeUnitsResponse> {
        let successor_id = names::parse(&request.successor, "units", "successor")?;
        if request.sources.is_empty() {
            return Err(ServiceError::invalid("sources", "name at least one unit to merge"));
        }
        let mut source_ids = Vec::new();
        for (i, source) in request.sources.iter().enumerate() {
            let id = names::parse(source, "units", &format!("sources[{i}]"))?;
            if id == successor_id {
                return Err(ServiceError::invalid(
                    format!("sources[{i}]"),
                    "a unit cannot be merged into itself",
                ));
            }
            if source_ids.contains(&id) {
                return Err(ServiceError::invalid(format!("sources[{i}]"), "is listed twice"));
            }
            source_ids.push(id);
        }
        let ctx = ctx.clone().with_reason(&request.reason);

        let mut tx = self.journal.begin(&ctx).await?;
        let mut successor = get_unit(tx.txn(), &successor_id).await?;
        scope::require_admin_over(tx.txn(), &ctx.principal, Some(&successor.id)).await?;
        successor.ensure_active()?;
        let now = Utc::now();
        let mut merged = Vec::new();
        for id in &source_ids {
            let mut source = get_unit(tx.txn(), id).await?;
            scope::require_admin_over(tx.txn(), &ctx.principal, Some(&source.id)).await?;
            source.ensure_active()?;
            // A successor below a source takes the source's place in the tree.
            if successor.parent_id.as_deref() == Some(id.as_str()) {
                successor.parent_id = source.parent_id.clone();
                successor.save(tx.txn(), now).await?;
            }
            hand_over(tx.txn(), id, &successor_id, now).await?;
            source = get_unit(tx.txn(), id).await?;
            source.state = unit::State::Merged as i32;
            source.successor_id = Some(successor_id.clone());
            source.save(tx.txn(), now).await?;
            let proto = source.to_proto();
            tx.event(NewEvent::with("identity.unit.merged", &proto.name, &proto));
            merged.push(proto);
        }
        let successor = get_unit(tx.txn(), &successor_id).await?.to_proto();
        tx.event(NewEvent::with("identity.unit.updated", &successor.name, &successor));
        tx.audit_resource(&successor.name);
        tx.commit().await?;
        Ok(MergeUnitsResponse {
            sources: merged,
            successor: Some(successor),
        })
    }

    pub async fn dissolve_unit(&self, ctx: &CallContext, request: DissolveUnitRequest) -> ServiceResult<Unit> {
        let id = names::parse(&request.name, "units", "name")?;
        let successor_id = names::parse_optional(&request.successor, "units", "successor")?;
        if successor_id.as_deref() == Some(id.as_str()) {
            return Err(ServiceError::invalid("successor", "a unit cannot succeed itself"));
        }
        let ctx = ctx.clone().with_reason(&request.reason);
        let tx = self.journal.begin(&ctx).await?;
        let mut row = unit_to_change(&tx, &ctx, &id, &request.etag).await?;
        let now = Utc::now();
        match &successor_id {
            Some(successor_id) => {
                let successor = get_unit(tx.txn(), successor_id).await?;
                scope::require_admin_over(tx.txn(), &ctx.principal, Some(&successor.id)).await?;
                successor.ensure_active()?;
                hand_over(tx.txn(), &id, successor_id, now).await?;
            }
            None => {
                let child = tx
                    .txn()
                    .query_one(
                        Query::select()
                            .column("id")
                            .from("units")
                            .and_where(Expr::col("parent_id").eq(id.clone()))
                            .and_where(Expr::col("state").eq(unit::State::Active as i32)),
                    )
                    .await?;
                if child.is_some() {
                    return Err(ServiceError::precondition(
                        "UNIT_HAS_CHILDREN",
                        row.name(),
                        format!(
                            "{} has active units below it: name a successor to take them over, or move them first",
                            row.name()
                        ),
                    ));
                }
                tx.txn()
                    .execute(
                        Query::delete()
                            .from_table("role_bindings")
                            .and_where(Expr::col("unit_id").eq(id.clone())),
                    )
                    .await?;
            }
        }
        row = get_unit(tx.txn(), &id).await?;
        row.state = unit::State::Dissolved as i32;
        row.successor_id = successor_id;
        commit_unit(tx, row, now, "identity.unit.dissolved").await
    }
}

/// `request_id`: optional, at most 100 printable ASCII characters.
pub fn check_request_id(violations: &mut Violations, request_id: &str) {
    if request_id.len() > 100 || !request_id.bytes().all(|b| b.is_ascii_graphic()) {
        violations.add(
            "request_id",
            "must be at most 100 printable ASCII characters (a UUID is recommended)",
        );
    }
}

/// How a unit's documents are numbered and signed, checked.
struct Letterhead {
    document_symbol: String,
    signer_title: String,
    signer_name: String,
}

impl Letterhead {
    fn check(violations: &mut Violations, input: &Unit) -> Self {
        let document_symbol = text::clean(violations, "unit.document_symbol", &input.document_symbol, false, 30);
        // It follows the type's abbreviation after a dash: `15/BC-PGDĐT`.
        if document_symbol
            .chars()
            .any(|c| !(c.is_alphanumeric() || c == '&' || c == '-'))
        {
            violations.add(
                "unit.document_symbol",
                "must be letters, digits, `&` or `-`, e.g. `PGDĐT` (no spaces or `/`)",
            );
        }
        Self {
            document_symbol,
            signer_title: text::clean(violations, "unit.signer_title", &input.signer_title, false, 100),
            signer_name: text::clean(violations, "unit.signer_name", &input.signer_name, false, 100),
        }
    }
}
