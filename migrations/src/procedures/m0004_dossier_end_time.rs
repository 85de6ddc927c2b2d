use eiso_proto::eiso::procedures::v1::DossierStatus;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, FromQueryResult};

// The instant a dossier stopped running (completed, withdrawn or stopped),
// which period statistics count to: a period carries over the dossiers
// received before it and not yet ended at its start. Existing dossiers get it
// from their completion time, or from the last change of their history that
// withdrew or stopped them.
const COMPLETED: i32 = DossierStatus::Completed as i32;
const RETURNED: i32 = DossierStatus::Returned as i32;
const WITHDRAWN: i32 = DossierStatus::Withdrawn as i32;
const STOPPED: i32 = DossierStatus::Stopped as i32;

#[derive(FromQueryResult)]
struct Ended {
    id: String,
    status: i32,
    history: String,
    update_time: chrono::DateTime<chrono::Utc>,
}

#[derive(serde::Deserialize)]
struct Change {
    status: i32,
    time: chrono::DateTime<chrono::Utc>,
}

crate::schema::migration!("m0004_dossier_end_time", |manager| {
    crate::schema::add_column(
        manager,
        "dossiers",
        ColumnDef::new("end_time").timestamp_with_time_zone().null(),
    )
    .await?;
    let db = manager.get_connection();
    manager
        .exec_stmt(
            Query::update()
                .table("dossiers")
                .value("end_time", Expr::col("complete_time"))
                .and_where(Expr::col("status").is_in([COMPLETED, RETURNED]))
                .to_owned(),
        )
        .await?;
    let ended = Ended::find_by_statement(
        db.get_database_backend().build(
            Query::select()
                .columns(["id", "status", "history", "update_time"])
                .from("dossiers")
                .and_where(Expr::col("status").is_in([WITHDRAWN, STOPPED])),
        ),
    )
    .all(db)
    .await?;
    for dossier in ended {
        // A history that cannot be read must not stop every start of
        // the server: the last change of the row stands in for it.
        let history: Vec<Change> = serde_json::from_str(&dossier.history).unwrap_or_default();
        let end = history
            .iter()
            .rev()
            .find(|c| c.status == dossier.status)
            .map_or(dossier.update_time, |c| c.time);
        manager
            .exec_stmt(
                Query::update()
                    .table("dossiers")
                    .value("end_time", end)
                    .and_where(Expr::col("id").eq(dossier.id))
                    .to_owned(),
            )
            .await?;
    }
    Ok(())
});
