//! What the tests of an outward delivery stand on (feature `testing`): the
//! delivery's own database, fresh for each test, and the procedures stream's
//! events it follows.

use eiso_proto::eiso::event::v1::Event;
use eiso_proto::eiso::procedures::v1::Dossier;
use eiso_proto::prost::Message;
use eiso_proto::prost_types::{Any, Timestamp};
use sea_orm::ConnectionTrait;
use sea_orm_migration::MigratorTrait;

use crate::config::Config;
use crate::db::{Db, StorageTarget};

/// A test's database: a SQLite file in a temporary directory, or a schema of
/// its own in the PostgreSQL database of `EISO_TEST_DATABASE_URL` when that
/// is set. [`Self::finish`] drops the schema; the directory goes with it.
pub struct TestDb {
    pub db: Db,
    /// The PostgreSQL schema the test made.
    schema: Option<String>,
    _dir: tempfile::TempDir,
}

impl TestDb {
    /// A fresh database of `service` (the SQLite file's name, the schema's
    /// prefix) with migrator `M` run.
    pub async fn fresh<M: MigratorTrait>(service: &str) -> Self {
        let dir = tempfile::tempdir().expect("a directory");
        let target = match std::env::var("EISO_TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) {
            Some(url) => StorageTarget::Postgres {
                url,
                schema: format!("{service}_{}", uuid::Uuid::new_v4().simple()),
            },
            None => StorageTarget::Sqlite {
                path: dir.path().join(format!("{service}.db")),
            },
        };
        let db = Db::open::<M>(&target, &Config::default())
            .await
            .unwrap_or_else(|e| panic!("the {service} database: {e}"));
        let schema = match target {
            StorageTarget::Postgres { schema, .. } => Some(schema),
            StorageTarget::Sqlite { .. } => None,
        };
        Self { db, schema, _dir: dir }
    }

    /// Drops the PostgreSQL schema the test made.
    pub async fn finish(self) {
        if let Some(schema) = self.schema {
            self.db
                .reader()
                .execute_unprepared(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
                .await
                .expect("the test's schema dropped");
        }
    }
}

/// Event `sequence` of the procedures stream: a clerk's `kind` of dossier
/// `d` (`procedures.dossier.{kind}`, the dossier after it as the payload),
/// made at `create_time`.
pub fn dossier_event(sequence: i64, kind: &str, d: &Dossier, create_time: Option<Timestamp>) -> Event {
    Event {
        sequence,
        r#type: format!("procedures.dossier.{kind}"),
        resource: d.name.clone(),
        create_time,
        payload: Some(Any {
            type_url: "type.googleapis.com/eiso.procedures.v1.Dossier".into(),
            value: d.encode_to_vec(),
        }),
        actor: "users/clerk".into(),
    }
}
