//! Lookups that other services need of identity (who a user is, whether a
//! unit is active, who works in a unit, where a unit sits in the tree).
//! They are the identity service's public, in-process API: other services
//! call these, never its tables.

use eiso_platform::ServiceResult;
use eiso_platform::aip::names;
use eiso_proto::eiso::identity::v1::{Role, UnitKind, unit, user};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};

use crate::Identity;
use crate::rows::{UNIT_COLUMNS, UnitRow, bindings_of, find_unit, find_user_by, users_bound_where};

/// A user as other services see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSummary {
    /// `users/{id}`.
    pub name: String,
    pub display_name: String,
    pub active: bool,
}

/// A unit as other services see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitSummary {
    /// `units/{id}`.
    pub name: String,
    pub code: String,
    pub display_name: String,
    pub active: bool,
    /// Where its documents are dated: its own place name, or the nearest
    /// unit's above it; empty when none has one.
    pub place_name: String,
    /// How its documents are numbered and signed.
    pub letterhead: eiso_platform::directory::Letterhead,
}

/// Deepest tree followed; deeper means a corrupt tree.
const MAX_DEPTH: usize = 64;

impl Identity {
    /// The user named `users/{id}`, if it exists.
    pub async fn user_summary(&self, name: &str) -> ServiceResult<Option<UserSummary>> {
        let Ok(id) = names::parse(name, "users", "user") else {
            return Ok(None);
        };
        let user = find_user_by(self.journal.db().reader(), "id", &id).await?;
        Ok(user.map(|u| UserSummary {
            name: u.name(),
            display_name: u.display_name.clone(),
            active: u.is_active(),
        }))
    }

    /// The role bindings of the user `users/{id}`, as (role, `units/{id}`);
    /// empty for an unknown user.
    pub async fn user_bindings(&self, name: &str) -> ServiceResult<Vec<(Role, String)>> {
        let Ok(id) = names::parse(name, "users", "user") else {
            return Ok(Vec::new());
        };
        bindings_of(self.journal.db().reader(), "user", &id).await
    }

    /// The unit named `units/{id}`, if it exists.
    pub async fn unit_summary(&self, name: &str) -> ServiceResult<Option<UnitSummary>> {
        let Ok(id) = names::parse(name, "units", "unit") else {
            return Ok(None);
        };
        let db = self.journal.db().reader();
        let Some(unit) = find_unit(db, &id).await? else {
            return Ok(None);
        };
        let mut place_name = unit.place_name.clone();
        let mut parent = unit.parent_id.clone();
        let mut depth = 0;
        while place_name.is_empty()
            && let Some(id) = parent
            && depth < MAX_DEPTH
        {
            let above = find_unit(db, &id).await?;
            place_name = above.as_ref().map(|u| u.place_name.clone()).unwrap_or_default();
            parent = above.and_then(|u| u.parent_id);
            depth += 1;
        }
        Ok(Some(UnitSummary {
            name: unit.name(),
            code: unit.code.clone(),
            display_name: unit.display_name.clone(),
            active: unit.is_active(),
            place_name,
            letterhead: eiso_platform::directory::Letterhead {
                document_symbol: unit.document_symbol.clone(),
                signer_title: unit.signer_title.clone(),
                signer_name: unit.signer_name.clone(),
            },
        }))
    }

    /// The unit and the units above it, nearest first.
    pub async fn unit_ancestors(&self, name: &str) -> ServiceResult<Vec<String>> {
        let Ok(id) = names::parse(name, "units", "unit") else {
            return Ok(Vec::new());
        };
        let db = self.journal.db().reader();
        let mut out = Vec::new();
        let mut cursor = Some(id);
        while let Some(id) = cursor {
            if out.len() >= MAX_DEPTH {
                break;
            }
            out.push(format!("units/{id}"));
            cursor = find_unit(db, &id).await?.and_then(|u| u.parent_id);
        }
        Ok(out)
    }

    /// The unit and every unit below it, whatever their state, breadth first
    /// (`units/{id}`); empty for an unknown unit.
    pub async fn unit_subtree(&self, name: &str) -> ServiceResult<Vec<String>> {
        let Ok(root) = names::parse(name, "units", "unit") else {
            return Ok(Vec::new());
        };
        let db = self.journal.db().reader();
        if find_unit(db, &root).await?.is_none() {
            return Ok(Vec::new());
        }
        let ids = self.descendants(root, None).await?;
        Ok(ids.into_iter().map(|id| format!("units/{id}")).collect())
    }

    /// The active units at or below `name` whose kind is one of `kinds`, by
    /// display name (`units/{id}`): the schools a plan names as a group.
    pub async fn units_of_kinds(&self, name: &str, kinds: &[UnitKind]) -> ServiceResult<Vec<String>> {
        if kinds.is_empty() {
            return Ok(Vec::new());
        }
        let units = self.active_within(name).await?;
        let mut found = self
            .ids_and_display_names(
                Query::select()
                    .from("units")
                    .and_where(Expr::col("id").is_in(units))
                    .and_where(Expr::col("state").eq(unit::State::Active as i32))
                    .and_where(Expr::col("kind").is_in(kinds.iter().map(|k| *k as i32))),
            )
            .await?;
        // Sorted here, not by the database's collation, so both backends agree.
        found.sort_by(|(a_id, a_name), (b_id, b_name)| (a_name, a_id).cmp(&(b_name, b_id)));
        Ok(found.into_iter().map(|(id, _)| format!("units/{id}")).collect())
    }

    /// The ids of the unit `name` and the active units below it; empty for a
    /// name that is not a unit's.
    pub(crate) async fn active_within(&self, name: &str) -> ServiceResult<Vec<String>> {
        match names::parse(name, "units", "unit") {
            Ok(root) => self.descendants(root, Some(unit::State::Active)).await,
            Err(_) => Ok(Vec::new()),
        }
    }

    /// `root` and the ids below it, breadth first; only units in `state` when given.
    async fn descendants(&self, root: String, state: Option<unit::State>) -> ServiceResult<Vec<String>> {
        let db = self.journal.db().reader();
        let mut units = vec![root];
        let mut frontier = units.clone();
        for _ in 0..MAX_DEPTH {
            if frontier.is_empty() {
                break;
            }
            let mut query = Query::select();
            query
                .columns(UNIT_COLUMNS)
                .from("units")
                .and_where(Expr::col("parent_id").is_in(frontier.clone()));
            if let Some(state) = state {
                query.and_where(Expr::col("state").eq(state as i32));
            }
            let rows = db.query_all(&query).await?;
            frontier = rows
                .iter()
                .map(UnitRow::from_row)
                .map(|u| u.map(|u| u.id))
                .filter(|id| !matches!(id, Ok(id) if units.contains(id)))
                .collect::<ServiceResult<_>>()?;
            units.extend(frontier.iter().cloned());
        }
        Ok(units)
    }

    /// Active users holding any role on the unit or an active unit below it.
    pub async fn users_within(&self, name: &str) -> ServiceResult<Vec<UserSummary>> {
        let units = self.active_within(name).await?;
        if units.is_empty() {
            return Ok(Vec::new());
        }
        let found = self
            .ids_and_display_names(
                Query::select()
                    .from("users")
                    .and_where(Expr::col("state").eq(user::State::Active as i32))
                    .and_where(users_bound_where(Expr::col("unit_id").is_in(units)))
                    .order_by("display_name", sea_orm::sea_query::Order::Asc),
            )
            .await?;
        Ok(found
            .into_iter()
            .map(|(id, display_name)| UserSummary {
                name: format!("users/{id}"),
                display_name,
                active: true,
            })
            .collect())
    }

    /// The `id` and `display_name` of each row `query` selects (it names the
    /// table and the rows, this the columns), in its order.
    async fn ids_and_display_names(&self, query: &mut SelectStatement) -> ServiceResult<Vec<(String, String)>> {
        let rows = self
            .journal
            .db()
            .reader()
            .query_all(query.columns(["id", "display_name"]))
            .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("", "id")?, row.try_get("", "display_name")?)))
            .collect()
    }
}
