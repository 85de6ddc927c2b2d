//! m0004 backfills when existing dossiers ended: from their completion, from
//! the history entry that withdrew or stopped them, or, for a history it
//! cannot read, from the row's last change, without failing the start.

use eiso_migrations::procedures::Migrator;
use eiso_migrations::sea_orm_migration::MigratorTrait;
use eiso_migrations::sea_orm_migration::sea_orm::{ConnectionTrait, Database, Statement};

#[tokio::test]
async fn existing_dossiers_get_their_end_time() {
    let db = Database::connect("sqlite::memory:").await.expect("in-memory SQLite");
    // Platform tables, m0002 and m0003: the schema before end_time.
    Migrator::up(&db, Some(3)).await.expect("migrations up to m0003");
    let columns = "id, code, agency, procedure_code, procedure_version, status, channel, applicant_name, \
                   applicant_id_number, applicant_phone, applicant_address, applicant_email, summary, documents, \
                   receive_time, due_time, appointment_time, current_step, assignee, handovers, supplements, \
                   extension, complete_time, result_summary, result_digitised, return_time, satisfaction, \
                   outcome, history, update_time, version";
    let row = |id: &str, status: i32, complete: &str, history: &str, update: &str| {
        format!(
            "INSERT INTO dossiers ({columns}) VALUES ('{id}', 'C-{id}', 'units/a', '2.002481', 1, {status}, 1, \
             '', '', '', '', '', '', '[]', '2025-03-03 01:00:00+00:00', NULL, NULL, -1, '', '[]', '[]', NULL, \
             {complete}, '', 0, NULL, 0, 0, '{history}', '{update}', 1)"
        )
    };
    let withdrawn = r#"[{"status":2,"time":"2025-03-03T01:00:00Z","actor":"a","note":""},{"status":7,"time":"2025-03-05T03:00:00Z","actor":"a","note":"rút"}]"#;
    for sql in [
        // Completed (9): ends at its completion.
        row(
            "done",
            9,
            "'2025-03-04 02:00:00+00:00'",
            "[]",
            "2025-03-06 00:00:00+00:00",
        ),
        // Withdrawn (7): ends at the history's withdrawal, not its last change.
        row("gone", 7, "NULL", withdrawn, "2025-03-09 00:00:00+00:00"),
        // Stopped (8) with a history that is not JSON: its last change.
        row("bad", 8, "NULL", "not json", "2025-03-07 00:00:00+00:00"),
        // Still running (4): no end.
        row("open", 4, "NULL", "[]", "2025-03-08 00:00:00+00:00"),
    ] {
        db.execute_unprepared(&sql).await.expect("a dossier of before m0004");
    }
    Migrator::up(&db, None).await.expect("m0004 and later run");
    let ends = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT id, end_time FROM dossiers ORDER BY id",
        ))
        .await
        .expect("read back");
    let ends: Vec<(String, Option<chrono::DateTime<chrono::Utc>>)> = ends
        .iter()
        .map(|r| {
            (
                r.try_get("", "id").expect("id"),
                r.try_get("", "end_time").expect("end_time"),
            )
        })
        .collect();
    let at = |text: &str| Some(text.parse::<chrono::DateTime<chrono::Utc>>().expect("a time"));
    assert_eq!(
        ends,
        vec![
            ("bad".to_string(), at("2025-03-07T00:00:00Z")),
            ("done".to_string(), at("2025-03-04T02:00:00Z")),
            ("gone".to_string(), at("2025-03-05T03:00:00Z")),
            ("open".to_string(), None),
        ]
    );
}
