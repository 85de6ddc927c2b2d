//! The corrective actions' board: each action in the column of its step,
//! with its nonconformity and unit by name, for the quality system's
//! readers over the action's unit (same / ancestor see it; a team below and
//! a unit beside do not; the counter has no board).

use chrono::Datelike;
use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::quality::v1::*;
use eiso_tests::TestServer;

#[tokio::test]
async fn corrective_actions_are_shown_by_step_to_those_who_read_their_unit() {
    let server = TestServer::start().await;
    let mut quality = server.quality_office().await;
    let (below, sibling) = server.counter_neighbours(&quality).await;
    let today = chrono::Utc::now().date_naive();
    let local = |d: chrono::NaiveDate| {
        Some(eiso_proto::eiso::procedures::v1::LocalDate {
            year: d.year(),
            month: d.month() as i32,
            day: d.day() as i32,
        })
    };
    let (_, finding) = quality.audit_counter(local(today)).await;
    let eiso_tests::quality::QualityOffice {
        office,
        counter_unit,
        mut auditing,
        ..
    } = quality;
    auditing
        .create_corrective_action(CreateCorrectiveActionRequest {
            corrective_action: Some(CorrectiveAction {
                finding: finding.name.clone(),
                due_date: local(today + chrono::Days::new(30)),
                ..Default::default()
            }),
            request_id: String::new(),
            reason: String::new(),
        })
        .await
        .unwrap();

    for (who, unit, sees) in
        eiso_tests::web::scoped_readers(&counter_unit.name, &office.name, &below.name, &sibling.name)
    {
        let mut browser = server.signed_in(&format!("xem.{who}"), Role::Leader, unit).await;
        let board = browser.get("/chat-luong/hanh-dong").await;
        assert_eq!(board.status, 200, "{who}");
        assert_eq!(board.body.contains(&finding.statement), sees, "{who}: {}", board.body);
        if sees {
            assert!(
                board.body.contains(r#"href="/chat-luong/hanh-dong""#),
                "{who}: the menu"
            );
            assert!(board.body.contains("Mới mở <span class=\"count\">(1)</span>"), "{who}");
            assert!(board.body.contains("Bộ phận Một cửa"), "{who}: the unit by name");
        }
    }
    let mut clerk = server.signed_in("mot.cua", Role::CounterStaff, &office.name).await;
    assert!(!clerk.get("/").await.body.contains(r#"href="/chat-luong/hanh-dong""#));
    assert_eq!(clerk.get("/chat-luong/hanh-dong").await.status, 403);
    assert_eq!(
        server
            .signed_in("xem.loc", Role::Leader, &office.name)
            .await
            .get("/chat-luong/hanh-dong?don_vi=units/x%22")
            .await
            .status,
        400
    );
    server.stop().await;
}
