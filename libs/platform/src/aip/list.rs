//! One List call (AIP-132): its page (AIP-158), its filter (AIP-160) and its
//! order, read once, so that every service pages, filters and orders the same
//! way and names enum values in filters by one rule.
//!
//! ```ignore
//! const SPEC: list::Spec = list::Spec::new(&["code", "state"], &["code", "update_time"], "code");
//! let listing = list::Listing::parse(&SPEC, request.page_size, &request.page_token, &request.filter, &request.order_by)?;
//! let mut query = Query::select();
//! listing.filter(&mut query, |c| Ok(match c.field.as_str() {
//!     "code" => Expr::col("code").eq(c.value.clone()),
//!     _ => Expr::col("state").eq(list::enum_value(&c.value, "STATE_", "state", State::from_str_name)?),
//! }))?;
//! listing.order_and_limit(&mut query, "id");
//! let mut rows = db.query_all(&query).await?;
//! let next_page_token = listing.finish(&mut rows);
//! ```

use sea_orm::sea_query::{ExprTrait, Order, SelectStatement, SimpleExpr};
use sea_orm::{ConnectionTrait, QueryResult};

use super::filter::{self, Condition};
use super::order::{self, OrderTerm};
use super::page;
use crate::error::{ServiceError, ServiceResult};

/// What a List method accepts: its filter fields, its order fields and its
/// page sizes.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub filters: &'static [&'static str],
    /// The filter fields that also take `<`, `<=`, `>` and `>=`.
    pub ordered_filters: &'static [&'static str],
    pub orders: &'static [&'static str],
    pub default_order: &'static str,
    /// The page size for `page_size = 0`.
    pub default_size: u64,
    /// Larger page sizes are cut to this.
    pub max_size: u64,
}

impl Spec {
    /// A list with pages of 50 by default and 1,000 at most.
    pub const fn new(
        filters: &'static [&'static str],
        orders: &'static [&'static str],
        default_order: &'static str,
    ) -> Self {
        Self {
            filters,
            ordered_filters: &[],
            orders,
            default_order,
            default_size: 50,
            max_size: 1000,
        }
    }

    /// The same list with `fields` (among its filters) also compared with
    /// `<`, `<=`, `>` and `>=`.
    pub const fn ordered(self, fields: &'static [&'static str]) -> Self {
        Self {
            ordered_filters: fields,
            ..self
        }
    }

    /// The same list with other page sizes.
    pub const fn sizes(self, default_size: u64, max_size: u64) -> Self {
        Self {
            default_size,
            max_size,
            ..self
        }
    }
}

/// A List request, checked: the conditions, the order, and the page.
#[derive(Debug, Clone)]
pub struct Listing {
    pub conditions: Vec<Condition>,
    pub order: Vec<OrderTerm>,
    /// Rows on this page.
    pub size: u64,
    /// Rows before this page.
    pub offset: u64,
    /// What the page token is bound to: a token from another query is refused.
    key: String,
}

impl Listing {
    /// Reads `filter` and `order_by` against `spec`, then the page. A token is
    /// bound to the filter and order it was issued for.
    pub fn parse(spec: &Spec, page_size: i32, page_token: &str, filter: &str, order_by: &str) -> ServiceResult<Self> {
        Self::parse_under(spec, "", page_size, page_token, filter, order_by)
    }

    /// [`Self::parse`] for the children of `parent` (or a list shaped by
    /// another request field): the token is bound to it too, so a token
    /// issued under one parent is refused under another.
    pub fn parse_under(
        spec: &Spec,
        parent: &str,
        page_size: i32,
        page_token: &str,
        filter: &str,
        order_by: &str,
    ) -> ServiceResult<Self> {
        let size = page::size(page_size, spec.default_size, spec.max_size)?;
        let conditions = filter::parse_ordered(filter, spec.filters, spec.ordered_filters)?;
        // A list in a fixed order (no `orders` in its spec) takes no `order_by`.
        let order = if spec.orders.is_empty() && order_by.trim().is_empty() {
            Vec::new()
        } else {
            order::parse(order_by, spec.orders, spec.default_order)?
        };
        Self::page(
            size,
            page_token,
            format!("{parent}|{filter}|{order_by}"),
            conditions,
            order,
        )
    }

    /// A list with no filter or order of its own: the page only, its token
    /// bound to `key`.
    pub fn paged(page_size: i32, page_token: &str, key: &str, default_size: u64, max_size: u64) -> ServiceResult<Self> {
        let size = page::size(page_size, default_size, max_size)?;
        Self::page(size, page_token, key.to_owned(), Vec::new(), Vec::new())
    }

    fn page(
        size: u64,
        page_token: &str,
        key: String,
        conditions: Vec<Condition>,
        order: Vec<OrderTerm>,
    ) -> ServiceResult<Self> {
        let offset = page::decode(page_token, &key)?;
        Ok(Self {
            conditions,
            order,
            size,
            offset,
            key,
        })
    }

    /// The SQL condition of each filter condition, as `expr` builds it for
    /// `field = value`, negated for `!=`; for `<`, `<=`, `>` and `>=` (on
    /// ordered fields only) `expr` builds the comparison itself.
    pub fn conditions(
        &self,
        mut expr: impl FnMut(&Condition) -> ServiceResult<SimpleExpr>,
    ) -> ServiceResult<Vec<SimpleExpr>> {
        self.conditions
            .iter()
            .map(|condition| {
                let sql = expr(condition)?;
                Ok(match condition.op {
                    filter::Op::Ne => sql.not(),
                    _ => sql,
                })
            })
            .collect()
    }

    /// Adds [`Self::conditions`] to `query`.
    pub fn filter(
        &self,
        query: &mut SelectStatement,
        expr: impl FnMut(&Condition) -> ServiceResult<SimpleExpr>,
    ) -> ServiceResult<()> {
        for condition in self.conditions(expr)? {
            query.and_where(condition);
        }
        Ok(())
    }

    /// The order as `(column, descending)`, each field being its column.
    pub fn order_columns(&self) -> Vec<(&'static str, bool)> {
        self.order.iter().map(|t| (t.field, t.descending)).collect()
    }

    /// Orders `query` by the requested fields (each the column of its name),
    /// then by `tiebreak` so pages are stable, and fetches this page plus one
    /// row that tells whether another page follows.
    pub fn order_and_limit(&self, query: &mut SelectStatement, tiebreak: &'static str) {
        for term in &self.order {
            query.order_by(term.field, if term.descending { Order::Desc } else { Order::Asc });
        }
        query.order_by(tiebreak, Order::Asc);
        self.limit(query);
    }

    /// Fetches this page plus one row that tells whether another page follows.
    pub fn limit(&self, query: &mut SelectStatement) {
        query.limit(self.size + 1).offset(self.offset);
    }

    /// The number of rows to fetch: the page plus one.
    pub fn fetch(&self) -> u64 {
        self.size + 1
    }

    /// Runs `query` (limited with [`Self::limit`] or
    /// [`Self::order_and_limit`]): the page's rows and the next page's token.
    pub async fn rows(
        &self,
        db: &impl ConnectionTrait,
        query: &SelectStatement,
    ) -> ServiceResult<(Vec<QueryResult>, String)> {
        let mut rows = db.query_all(query).await?;
        let next_page_token = self.finish(&mut rows);
        Ok((rows, next_page_token))
    }

    /// The token of the next page, read back as [`Self::offset`]: for a list
    /// whose rows are not fetched with [`Self::limit`], `position` is where
    /// the next page starts (an offset, or in a list paged by a key, such as
    /// an append-only log read by sequence, the last key returned). Empty
    /// on the last page.
    pub fn token_after(&self, position: u64, has_more: bool) -> String {
        page::encode(&self.key, position, has_more)
    }

    /// Cuts `rows` (fetched with [`Self::limit`]) to the page; the token of
    /// the next page, empty on the last.
    pub fn finish<T>(&self, rows: &mut Vec<T>) -> String {
        let has_more = rows.len() as u64 > self.size;
        rows.truncate(self.size as usize);
        page::encode(&self.key, self.offset + self.size, has_more)
    }
}

/// The [`Listing`] of a List request message, whose fields follow AIP-132
/// (`page_size`, `page_token`, `filter`, `order_by`):
/// `listing!(&SPEC, request)`, or `listing!(&SPEC, request, under request.parent)`
/// for a list whose page tokens are bound to its parent too (add `, unordered`
/// when the request has no `order_by`).
#[macro_export]
macro_rules! listing {
    (@parse $spec:expr, $parent:expr, $request:expr, $order_by:expr) => {
        $crate::aip::list::Listing::parse_under(
            $spec,
            $parent,
            $request.page_size,
            &$request.page_token,
            &$request.filter,
            $order_by,
        )
    };
    ($spec:expr, $request:expr) => {
        $crate::listing!(@parse $spec, "", $request, &$request.order_by)
    };
    ($spec:expr, $request:expr, under $parent:expr) => {
        $crate::listing!(@parse $spec, &$parent, $request, &$request.order_by)
    };
    ($spec:expr, $request:expr, under $parent:expr, unordered) => {
        $crate::listing!(@parse $spec, &$parent, $request, "")
    };
}

/// An enum value named in a filter (AIP-160: enums by name, not number): its
/// proto name (`STATE_DONE`) or that name without the enum's `prefix`
/// (`DONE`). INVALID_ARGUMENT naming `filter` and `what` otherwise.
pub fn enum_value<E: Into<i32>>(
    value: &str,
    prefix: &str,
    what: &str,
    parse: impl Fn(&str) -> Option<E>,
) -> ServiceResult<i32> {
    parse(value)
        .or_else(|| parse(&format!("{prefix}{value}")))
        .filter(|_| !value.is_empty())
        .map(Into::into)
        .ok_or_else(|| ServiceError::invalid("filter", format!("unknown {what} `{value}`")))
}

/// The [`enum_value`] of a `state` filter: a resource's `State`, named with
/// or without its `STATE_` prefix.
pub fn state_value<E: Into<i32>>(value: &str, parse: impl Fn(&str) -> Option<E>) -> ServiceResult<i32> {
    enum_value(value, "STATE_", "state", parse)
}

#[cfg(test)]
mod tests {
    use super::*;
    use eiso_proto::eiso::identity::v1::UnitKind;
    use sea_orm::sea_query::{Expr, Query, SqliteQueryBuilder};

    const SPEC: Spec = Spec::new(&["code", "kind"], &["code", "update_time"], "code");

    #[test]
    fn enum_values_by_proto_name_or_short_name_never_by_number() {
        let kind = |v: &str| enum_value(v, "UNIT_KIND_", "unit kind", UnitKind::from_str_name);
        assert_eq!(kind("UNIT_KIND_OFFICE").expect("proto name"), UnitKind::Office as i32);
        assert_eq!(kind("OFFICE").expect("short name"), UnitKind::Office as i32);
        for bad in ["1", "office", "", "UNIT_KIND_"] {
            let error = kind(bad).expect_err(bad);
            assert_eq!(
                error.to_string(),
                format!("invalid request: filter: unknown unit kind `{bad}`")
            );
        }
    }

    #[test]
    fn a_listing_filters_orders_and_pages() {
        let listing = Listing::parse(&SPEC, 2, "", "code != a AND kind = OFFICE", "update_time desc").expect("valid");
        let mut query = Query::select();
        query.column("id").from("units");
        listing
            .filter(&mut query, |c| {
                Ok(match c.field.as_str() {
                    "code" => Expr::col("code").eq(c.value.clone()),
                    _ => Expr::col("kind").eq(enum_value(
                        &c.value,
                        "UNIT_KIND_",
                        "unit kind",
                        UnitKind::from_str_name,
                    )?),
                })
            })
            .expect("known values");
        listing.order_and_limit(&mut query, "id");
        let sql = query.to_string(SqliteQueryBuilder);
        assert!(sql.contains(r#"NOT "code" = 'a'"#), "{sql}");
        assert!(sql.contains(r#""kind" = 2"#) || sql.contains(r#""kind" ="#), "{sql}");
        assert!(
            sql.ends_with(r#"ORDER BY "update_time" DESC, "id" ASC LIMIT 3 OFFSET 0"#),
            "{sql}"
        );

        let mut rows = vec![1, 2, 3];
        let token = listing.finish(&mut rows);
        assert_eq!(rows, vec![1, 2]);
        let next =
            Listing::parse(&SPEC, 2, &token, "code != a AND kind = OFFICE", "update_time desc").expect("same query");
        assert_eq!(next.offset, 2);
        let mut last = vec![3];
        assert_eq!(next.finish(&mut last), "", "the last page has no next token");
        assert!(
            Listing::parse(&SPEC, 2, &token, "kind = OFFICE", "").is_err(),
            "a token stays with its query"
        );
    }

    #[test]
    fn bad_requests_name_their_field() {
        let field = |e: ServiceError| e.to_string();
        assert!(field(Listing::parse(&SPEC, -1, "", "", "").expect_err("size")).contains("page_size"));
        assert!(field(Listing::parse(&SPEC, 0, "", "title = x", "").expect_err("field")).contains("filter"));
        assert!(field(Listing::parse(&SPEC, 0, "", "", "title").expect_err("order")).contains("order_by"));
        assert!(field(Listing::parse(&SPEC, 0, "junk", "", "").expect_err("token")).contains("page_token"));
        let default = Listing::parse(&SPEC.sizes(100, 500), 0, "", "", "").expect("defaults");
        assert_eq!((default.size, default.offset), (100, 0));
        assert_eq!(
            Listing::parse(&SPEC.sizes(100, 500), 9999, "", "", "")
                .expect("cut")
                .size,
            500
        );
    }

    #[test]
    fn a_bound_token_stays_with_its_parent() {
        let first = Listing::paged(1, "", "documents/a", 50, 1000).expect("first page");
        let mut rows = vec![1, 2];
        let token = first.finish(&mut rows);
        assert_eq!(
            Listing::paged(1, &token, "documents/a", 50, 1000)
                .expect("same parent")
                .offset,
            1
        );
        assert!(Listing::paged(1, &token, "documents/b", 50, 1000).is_err());
    }
}
