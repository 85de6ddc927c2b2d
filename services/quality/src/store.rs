//! Storage of the service's resources. Every table has the same shape: the
//! resource as its protobuf encoding (`content`, exactly what events carry)
//! plus the few columns that lists filter and sort on, and a version counter
//! for optimistic concurrency (etags).
//!
//! | column | meaning |
//! |---|---|
//! | `id` | the resource id (for sub-resources, unique within the table) |
//! | `parent` | the owning resource's id (programme, audit, diagnostic), or empty |
//! | `unit` | the unit the resource is about, `units/{id}`, or empty |
//! | `state` | the state enum's number (or another small enum, per table) |
//! | `kind` | a second enum (finding type, quadrant, colour), or 0 |
//! | `sort_key` | a date `YYYY-MM-DD`, a year or a number, per table |

use chrono::{DateTime, Utc};
use eiso_platform::aip::etag;
use eiso_platform::{ServiceError, ServiceResult, versioned};
use eiso_proto::prost::{Message, Name};
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query, SimpleExpr};
use sea_orm::{ConnectionTrait, QueryResult};

pub const COLUMNS: [&str; 10] = [
    "id",
    "parent",
    "unit",
    "state",
    "kind",
    "sort_key",
    "content",
    "create_time",
    "update_time",
    "version",
];

/// A stored resource and its index columns.
#[derive(Debug, Clone)]
pub struct Row<M> {
    pub id: String,
    pub parent: String,
    pub unit: String,
    pub state: i32,
    pub kind: i32,
    pub sort_key: String,
    pub message: M,
    pub create_time: DateTime<Utc>,
    pub update_time: DateTime<Utc>,
    pub version: i64,
}

impl<M: Message + Default> Row<M> {
    pub fn new(id: String, message: M, now: DateTime<Utc>) -> Self {
        Self {
            id,
            parent: String::new(),
            unit: String::new(),
            state: 0,
            kind: 0,
            sort_key: String::new(),
            message,
            create_time: now,
            update_time: now,
            version: 1,
        }
    }

    fn from_row(row: &QueryResult) -> ServiceResult<Self> {
        let bytes: Vec<u8> = row.try_get("", "content")?;
        Ok(Self {
            id: row.try_get("", "id")?,
            parent: row.try_get("", "parent")?,
            unit: row.try_get("", "unit")?,
            state: row.try_get("", "state")?,
            kind: row.try_get("", "kind")?,
            sort_key: row.try_get("", "sort_key")?,
            message: M::decode(bytes.as_slice()).map_err(ServiceError::internal)?,
            create_time: row.try_get("", "create_time")?,
            update_time: row.try_get("", "update_time")?,
            version: row.try_get("", "version")?,
        })
    }
}

/// A resource kept in the rows of one table.
pub trait Stored: Message + Name + Default + Clone {
    /// Its table.
    const TABLE: Table;
    /// What its events are named by: `{EVENT}.created`, `{EVENT}.updated`…
    const EVENT: &'static str;

    /// Its resource name: `{collection}/{id}` unless it is a sub-resource.
    fn name(row: &Row<Self>) -> String {
        format!("{}/{}", Self::TABLE.collection, row.id)
    }

    /// The resource as answered and as its events carry it: the stored
    /// message with its name, and its etag and times where it has them.
    fn answer(row: &Row<Self>) -> Self;
}

/// Implements [`Stored`] for `$message`, kept in `$table`, its events named
/// `$event.{verb}`, answered with its name and with those of `etag`,
/// `create_time` and `update_time` listed (the ones its message has). A
/// sub-resource gives its name with `name = |row| …`.
macro_rules! stored {
    ($message:ty, $table:expr, $event:literal, [$($stamp:ident),*] $(, name = |$row:ident| $name:expr)?) => {
        impl $crate::store::Stored for $message {
            const TABLE: $crate::store::Table = $table;
            const EVENT: &'static str = $event;

            $(fn name($row: &$crate::store::Row<Self>) -> String {
                $name
            })?

            fn answer(row: &$crate::store::Row<Self>) -> Self {
                let name = <Self as $crate::store::Stored>::name(row);
                Self {
                    $($stamp: $crate::store::stored!(@stamp $stamp, row, name),)*
                    name,
                    ..row.message.clone()
                }
            }
        }
    };
    (@stamp etag, $row:ident, $name:ident) => {
        eiso_platform::aip::etag::compute(&$name, $row.version)
    };
    (@stamp create_time, $row:ident, $name:ident) => {
        Some(eiso_platform::aip::time::timestamp($row.create_time))
    };
    (@stamp update_time, $row:ident, $name:ident) => {
        Some(eiso_platform::aip::time::timestamp($row.update_time))
    };
}
pub(crate) use stored;

impl<M: Stored> Row<M> {
    /// The resource's name.
    pub fn name(&self) -> String {
        M::name(self)
    }

    /// The resource as answered (see [`Stored::answer`]).
    pub fn answer(&self) -> M {
        M::answer(self)
    }

    /// ABORTED unless `etag` is empty or this row's current one.
    pub fn check_etag(&self, etag: &str) -> ServiceResult<()> {
        etag::check(etag, &self.name(), self.version)
    }

    /// FAILED_PRECONDITION `reason` on the resource, `{name} {why}`, unless
    /// its `state` column holds `state`.
    pub fn require_state(&self, state: i32, reason: &'static str, why: &str) -> ServiceResult<()> {
        if self.state == state {
            return Ok(());
        }
        let name = self.name();
        Err(ServiceError::precondition(
            reason,
            name.clone(),
            format!("{name} {why}"),
        ))
    }
}

/// One table of resources of type `M`.
pub struct Table {
    pub name: &'static str,
    /// The collection in resource names, for NOT_FOUND messages.
    pub collection: &'static str,
}

impl Table {
    pub const fn new(name: &'static str, collection: &'static str) -> Self {
        Self { name, collection }
    }

    pub async fn insert<M: Message>(&self, db: &impl ConnectionTrait, row: &Row<M>) -> ServiceResult<()> {
        db.execute(Query::insert().into_table(self.name).columns(COLUMNS).values_panic([
            row.id.clone().into(),
            row.parent.clone().into(),
            row.unit.clone().into(),
            row.state.into(),
            row.kind.into(),
            row.sort_key.clone().into(),
            row.message.encode_to_vec().into(),
            row.create_time.into(),
            row.update_time.into(),
            row.version.into(),
        ]))
        .await?;
        Ok(())
    }

    pub async fn find<M: Message + Default>(
        &self,
        db: &impl ConnectionTrait,
        id: &str,
    ) -> ServiceResult<Option<Row<M>>> {
        let row = db
            .query_one(
                Query::select()
                    .columns(COLUMNS)
                    .from(self.name)
                    .and_where(Expr::col("id").eq(id.to_string())),
            )
            .await?;
        row.as_ref().map(Row::from_row).transpose()
    }

    /// The row, or NOT_FOUND naming `{collection}/{id}`.
    pub async fn get<M: Message + Default>(&self, db: &impl ConnectionTrait, id: &str) -> ServiceResult<Row<M>> {
        self.find(db, id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("{}/{id}", self.collection)))
    }

    /// Writes `row` back if nobody changed it since it was read; bumps its
    /// version. ABORTED naming `{collection}/{id}` when someone did.
    pub async fn save<M: Message>(
        &self,
        db: &impl ConnectionTrait,
        row: &mut Row<M>,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        let mut update = Query::update();
        update
            .table(self.name)
            .value("parent", row.parent.clone())
            .value("unit", row.unit.clone())
            .value("state", row.state)
            .value("kind", row.kind)
            .value("sort_key", row.sort_key.clone())
            .value("content", row.message.encode_to_vec())
            .value("update_time", now)
            .and_where(Expr::col("id").eq(row.id.clone()));
        let name = format!("{}/{}", self.collection, row.id);
        versioned::update(db, update, row.version, &name, ServiceError::from).await?;
        row.version += 1;
        row.update_time = now;
        Ok(())
    }

    /// Rows matching every condition, in `order` (then by id), from `offset`.
    pub async fn list<M: Message + Default>(
        &self,
        db: &impl ConnectionTrait,
        conditions: Vec<SimpleExpr>,
        order: &[(&'static str, bool)],
        limit: Option<u64>,
        offset: u64,
    ) -> ServiceResult<Vec<Row<M>>> {
        let mut query = Query::select();
        query.columns(COLUMNS).from(self.name);
        for condition in conditions {
            query.and_where(condition);
        }
        for (column, descending) in order {
            query.order_by(*column, if *descending { Order::Desc } else { Order::Asc });
        }
        query.order_by("id", Order::Asc);
        // SQLite takes OFFSET only after a LIMIT.
        if let Some(limit) = limit {
            query.limit(limit).offset(offset);
        } else if offset > 0 {
            return Err(ServiceError::internal("an offset needs a limit"));
        }
        db.query_all(&query).await?.iter().map(Row::from_row).collect()
    }
}

pub const INSPECTION_PROGRAMMES: Table = Table::new("inspection_programmes", "inspectionProgrammes");
pub const INSPECTIONS: Table = Table::new("inspections", "inspections");
pub const AUDIT_PROGRAMMES: Table = Table::new("audit_programmes", "auditProgrammes");
pub const AUDITS: Table = Table::new("audits", "audits");
pub const FINDINGS: Table = Table::new("findings", "findings");
pub const CORRECTIVE_ACTIONS: Table = Table::new("corrective_actions", "correctiveActions");
pub const MANAGEMENT_REVIEWS: Table = Table::new("management_reviews", "managementReviews");
pub const INDICATORS: Table = Table::new("indicators", "indicators");
pub const DIAGNOSTICS: Table = Table::new("diagnostics", "diagnostics");
pub const ASSESSMENTS: Table = Table::new("assessments", "assessments");
