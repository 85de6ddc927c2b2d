//! The service's List methods. Each is a [`List`]: what its request may
//! filter and order by (read by the platform's [`Listing`], so every list
//! pages, filters and names enum values the same way) and the columns of its
//! table (see [`crate::store`]) those fields stand for.

use std::marker::PhantomData;

use eiso_platform::aip::filter::Condition;
use eiso_platform::aip::list::{self, Listing, Spec};
use eiso_platform::aip::names;
use eiso_platform::{CallContext, ServiceError, ServiceResult};
use eiso_proto::eiso::quality::v1 as pb;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::SimpleExpr;

use crate::Quality;
use crate::common::eq;
use crate::store::{Row, Stored};

/// How the value of a filter field becomes a condition on a column.
#[derive(Debug, Clone, Copy)]
pub enum Field {
    /// The value as given: `unit = units/x`.
    Text(&'static str),
    /// A resource name in the collection (the second), compared by its id.
    Id(&'static str, &'static str),
    /// An enum value by its name ([`list::enum_value`]), compared by number.
    Enum {
        column: &'static str,
        /// The proto names' prefix, which the short names leave out.
        prefix: &'static str,
        /// What the error calls the value.
        what: &'static str,
        parse: fn(&str) -> Option<i32>,
    },
    /// A year, kept in `sort_key` as four digits.
    Year,
    /// `true` or `false`, kept as 1 or 0.
    Flag(&'static str),
}

impl Field {
    /// An enum value by its name, compared by number in `column`.
    pub const fn enumeration(
        column: &'static str,
        prefix: &'static str,
        what: &'static str,
        parse: fn(&str) -> Option<i32>,
    ) -> Self {
        Self::Enum {
            column,
            prefix,
            what,
            parse,
        }
    }

    /// A resource's `State` (`STATE_…`), kept in `state`.
    pub const fn state(parse: fn(&str) -> Option<i32>) -> Self {
        Self::enumeration("state", "STATE_", "state", parse)
    }
}

/// What a List request says of its page, filter and order (empty where it
/// has no such field).
#[derive(Debug, Default)]
pub struct Asked<'a> {
    pub page_size: i32,
    pub page_token: &'a str,
    pub filter: &'a str,
    pub order_by: &'a str,
}

/// A List request of the service.
pub trait ListRequest {
    fn asked(&self) -> Asked<'_>;
}

/// Implements [`ListRequest`] for each request, naming those of `filter` and
/// `order_by` it has.
macro_rules! list_requests {
    ($($request:ty { $($field:ident),* })*) => {$(
        impl ListRequest for $request {
            #[allow(clippy::needless_update)]
            fn asked(&self) -> Asked<'_> {
                Asked {
                    page_size: self.page_size,
                    page_token: &self.page_token,
                    $($field: &self.$field,)*
                    ..Asked::default()
                }
            }
        }
    )*};
}

list_requests! {
    pb::ListInspectionProgrammesRequest { filter, order_by }
    pb::ListInspectionsRequest { filter, order_by }
    pb::ListAuditProgrammesRequest { filter, order_by }
    pb::ListAuditsRequest { filter, order_by }
    pb::ListFindingsRequest { filter, order_by }
    pb::ListCorrectiveActionsRequest { filter, order_by }
    pb::ListOverdueCorrectiveActionsRequest {}
    pb::ListManagementReviewsRequest { filter, order_by }
    pb::ListIndicatorsRequest { filter }
    pb::ListDiagnosticsRequest { filter }
}

/// A List method over the table of `M`.
pub struct List<M> {
    /// The filter and order fields the request accepts, and its page sizes.
    pub spec: Spec,
    /// The column and reading of each filter field of `spec`.
    fields: &'static [(&'static str, Field)],
    /// The column of each order field that is not a column of its own name
    /// (`create_time` is).
    columns: &'static [(&'static str, &'static str)],
    resource: PhantomData<fn() -> M>,
}

impl<M: Stored> List<M> {
    pub const fn new(
        spec: Spec,
        fields: &'static [(&'static str, Field)],
        columns: &'static [(&'static str, &'static str)],
    ) -> Self {
        Self {
            spec,
            fields,
            columns,
            resource: PhantomData,
        }
    }

    /// Reads `request` against the list's [`Spec`].
    pub fn read(&self, request: &impl ListRequest) -> ServiceResult<Listing> {
        self.read_under("", request)
    }

    /// [`Self::read`] for the children of `parent` (or a list shaped by
    /// another request field): its page tokens are bound to it too.
    pub fn read_under(&self, parent: &str, request: &impl ListRequest) -> ServiceResult<Listing> {
        let asked = request.asked();
        Listing::parse_under(
            &self.spec,
            parent,
            asked.page_size,
            asked.page_token,
            asked.filter,
            asked.order_by,
        )
    }

    /// One page of `listing`: the rows matching its filter and `within` (the
    /// caller's scope, a parent), in its order and then by id; and the token
    /// of the next page.
    pub async fn page(
        &self,
        db: &impl ConnectionTrait,
        listing: &Listing,
        within: impl IntoIterator<Item = SimpleExpr>,
    ) -> ServiceResult<(Vec<Row<M>>, String)> {
        let mut conditions = listing.conditions(|c| self.condition(c))?;
        conditions.extend(within);
        let order: Vec<_> = listing
            .order_columns()
            .into_iter()
            .map(|(field, descending)| (self.column(field), descending))
            .collect();
        let mut rows = M::TABLE
            .list(db, conditions, &order, Some(listing.fetch()), listing.offset)
            .await?;
        let next_page_token = listing.finish(&mut rows);
        Ok((rows, next_page_token))
    }

    fn column(&self, field: &'static str) -> &'static str {
        self.columns
            .iter()
            .find(|(name, _)| *name == field)
            .map_or(field, |(_, column)| column)
    }

    /// The condition `field = value` of one filter condition.
    fn condition(&self, condition: &Condition) -> ServiceResult<SimpleExpr> {
        let field = self
            .fields
            .iter()
            .find(|(name, _)| *name == condition.field)
            .map(|(_, field)| *field)
            .ok_or_else(|| ServiceError::internal(format!("filter field `{}` has no column", condition.field)))?;
        let value = condition.value.as_str();
        Ok(match field {
            Field::Text(column) => eq(column, value.to_string()),
            Field::Id(column, collection) => eq(column, names::parse(value, collection, "filter")?),
            Field::Enum {
                column,
                prefix,
                what,
                parse,
            } => eq(column, list::enum_value(value, prefix, what, parse)?),
            Field::Year => {
                let year: i32 = value
                    .parse()
                    .map_err(|_| ServiceError::invalid("filter", format!("`{value}` is not a year")))?;
                eq("sort_key", format!("{year:04}"))
            }
            Field::Flag(column) => eq(
                column,
                match value {
                    "true" => 1,
                    "false" => 0,
                    _ => {
                        return Err(ServiceError::invalid(
                            "filter",
                            format!("`{}` is `true` or `false`", condition.field),
                        ));
                    }
                },
            ),
        })
    }

    /// The filter fields of `spec` without a [`Field`], and the [`Field`]s
    /// of no filter field of `spec`.
    #[cfg(test)]
    fn mismatched(&self) -> Vec<&'static str> {
        let unread = self
            .spec
            .filters
            .iter()
            .filter(|name| !self.fields.iter().any(|(field, _)| field == *name));
        let unknown = self
            .fields
            .iter()
            .map(|(field, _)| field)
            .filter(|field| !self.spec.filters.contains(field));
        unread.chain(unknown).copied().collect()
    }
}

impl Quality {
    /// The page `request` asks of `list`, of the rows the caller's method
    /// reaches (those whose `unit` its roles cover); the next page's token.
    pub(crate) async fn page_in_scope<M: Stored>(
        &self,
        ctx: &CallContext,
        list: &List<M>,
        request: &impl ListRequest,
    ) -> ServiceResult<(Vec<Row<M>>, String)> {
        let listing = list.read(request)?;
        let scope = self.method_scope(ctx).await?.condition("unit");
        list.page(self.journal.db().reader(), &listing, scope).await
    }
}

#[cfg(test)]
mod tests {
    use eiso_platform::aip::filter::{Condition, Op};
    use sea_orm::sea_query::{Query, SqliteQueryBuilder};

    use super::List;

    fn sql<M: crate::store::Stored>(list: &List<M>, field: &str, value: &str) -> Result<String, String> {
        let condition = Condition {
            field: field.into(),
            op: Op::Eq,
            value: value.into(),
        };
        let expr = list.condition(&condition).map_err(|e| e.to_string())?;
        Ok(Query::select()
            .column("id")
            .from("t")
            .and_where(expr)
            .to_string(SqliteQueryBuilder))
    }

    #[test]
    fn filter_values_are_read_by_one_rule() {
        let audits = &crate::audits::LIST_AUDITS;
        for state in ["STATE_IN_PROGRESS", "IN_PROGRESS"] {
            let sql = sql(audits, "state", state).expect("a state by name");
            assert!(sql.ends_with(r#""state" = 2"#), "{sql}");
        }
        assert_eq!(
            sql(audits, "state", "2").expect_err("a number"),
            "invalid request: filter: unknown state `2`"
        );
        let programme = sql(audits, "programme", "auditProgrammes/p1").expect("a name");
        assert!(programme.ends_with(r#""parent" = 'p1'"#), "{programme}");
        assert!(sql(audits, "programme", "audits/p1").is_err(), "another collection");
        let findings = &crate::audits::LIST_FINDINGS;
        assert!(sql(findings, "type", "MINOR_NONCONFORMITY").is_ok());
        assert_eq!(
            sql(findings, "type", "MINOR").expect_err("no such type"),
            "invalid request: filter: unknown finding type `MINOR`"
        );
        let year = sql(&crate::audits::LIST_PROGRAMMES, "year", "2025").expect("a year");
        assert!(year.ends_with(r#""sort_key" = '2025'"#), "{year}");
        assert_eq!(
            sql(&crate::inspections::LIST_PROGRAMMES, "year", "next").expect_err("not a year"),
            "invalid request: filter: `next` is not a year"
        );
        let indicators = &crate::diagnostic::LIST_INDICATORS;
        assert!(
            sql(indicators, "active", "true")
                .expect("true")
                .ends_with(r#""state" = 1"#)
        );
        assert_eq!(
            sql(indicators, "active", "yes").expect_err("not a flag"),
            "invalid request: filter: `active` is `true` or `false`"
        );
        let quadrant = sql(indicators, "quadrant", "QUADRANT_SOCIAL").expect("a quadrant");
        assert!(quadrant.contains(r#""kind" = "#), "{quadrant}");
    }

    #[test]
    fn every_filter_field_is_read_from_a_column() {
        let lists = [
            (
                "inspection programmes",
                crate::inspections::LIST_PROGRAMMES.mismatched(),
            ),
            ("inspections", crate::inspections::LIST_INSPECTIONS.mismatched()),
            ("audit programmes", crate::audits::LIST_PROGRAMMES.mismatched()),
            ("audits", crate::audits::LIST_AUDITS.mismatched()),
            ("findings", crate::audits::LIST_FINDINGS.mismatched()),
            ("corrective actions", crate::actions::LIST_ACTIONS.mismatched()),
            ("overdue actions", crate::actions::LIST_OVERDUE.mismatched()),
            ("management reviews", crate::review::LIST_REVIEWS.mismatched()),
            ("indicators", crate::diagnostic::LIST_INDICATORS.mismatched()),
            ("diagnostics", crate::diagnostic::LIST_DIAGNOSTICS.mismatched()),
        ];
        for (list, mismatched) in lists {
            assert!(mismatched.is_empty(), "{list}: {mismatched:?}");
        }
    }
}
