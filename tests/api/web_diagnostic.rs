//! The ISO 18091 diagnostic's pages: the periods of the units the person
//! oversees with their count of each colour, and a period as four quadrants
//! of traffic lights, the period before beside it with the change, and the
//! evidence linked to its page; the same unit scoping as the API.

use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::quality::v1::*;
use eiso_tests::TestServer;
use eiso_tests::documents::{file_record, kept_record};

#[tokio::test]
async fn a_diagnostic_is_four_quadrants_of_lights_beside_the_period_before() {
    let server = TestServer::start().await;
    let neighbours = server.office_with_neighbours().await;
    let office = &neighbours.office;
    let (_, leader_token) = server.user_with_role("lanh.dao", Role::Leader, &office.name).await;
    let (_, auditor_token) = server
        .user_with_role("danh.gia", Role::InternalAuditor, &office.name)
        .await;
    let (_, controller_token) = server
        .user_with_role("thu.ky", Role::DocumentController, &office.name)
        .await;
    let record = file_record(
        &mut server.documents(&controller_token),
        kept_record("Báo cáo tổng kết năm học 2023-2024", &office.name),
    )
    .await;
    let mut leader = server.quality(&leader_token);
    let mut auditor = server.quality(&auditor_token);
    let mut diagnostics = Vec::new();
    for period in ["2023", "2024"] {
        diagnostics.push(
            leader
                .create_diagnostic(CreateDiagnosticRequest {
                    diagnostic: Some(Diagnostic {
                        unit: office.name.clone(),
                        period: period.into(),
                        title: format!("Tự đánh giá theo TCVN ISO 18091 năm {period}"),
                        ..Default::default()
                    }),
                    request_id: String::new(),
                })
                .await
                .unwrap()
                .into_inner(),
        );
    }
    for (d, indicator, colour) in [
        (0, "1-1", Colour::Red),
        (0, "1-2", Colour::Green),
        (1, "1-1", Colour::Green),
        (1, "1-2", Colour::Yellow),
        (1, "3-1", Colour::Red),
    ] {
        auditor
            .assess_indicator(AssessIndicatorRequest {
                diagnostic: diagnostics[d].name.clone(),
                assessment: Some(Assessment {
                    indicator: format!("indicators/{indicator}"),
                    colour: colour as i32,
                    evidence: vec![EvidenceLink {
                        name: record.name.clone(),
                        ..Default::default()
                    }],
                    note: "Theo báo cáo tổng kết".into(),
                    ..Default::default()
                }),
            })
            .await
            .unwrap();
    }
    let address = format!(
        "/chat-luong/chan-doan/{}",
        diagnostics[1].name.trim_start_matches("diagnostics/")
    );

    let mut browser = server.signed_in("truong.phong", Role::Leader, &office.name).await;
    let list = browser.get("/chat-luong/chan-doan").await;
    assert_eq!(list.status, 200);
    assert!(
        list.body.contains("Tự đánh giá theo TCVN ISO 18091 năm 2024"),
        "{}",
        list.body
    );
    assert!(list.body.contains(&address));
    let page = browser.get(&address).await;
    assert_eq!(page.status, 200);
    let body = &page.body;
    for expected in [
        "Phát triển thể chế vì chính quyền tốt",
        "Phát triển kinh tế bền vững",
        "Phát triển xã hội bao trùm",
        "Phát triển môi trường bền vững",
        "1 đỏ, <span class=\"light light-yellow\" aria-hidden=\"true\"></span> 1 vàng, <span class=\"light light-green\" aria-hidden=\"true\"></span> 1 xanh",
        "Tốt lên",
        "Xấu đi",
        "Báo cáo tổng kết năm học 2023-2024",
    ] {
        assert!(body.contains(expected), "{expected}: {body}");
    }
    let record_href = format!(
        r#"href="/ho-so-chat-luong/{}""#,
        record.name.trim_start_matches("records/")
    );
    assert!(body.contains(&record_href), "the evidence opens its page");
    // Indicator 1.1: red the year before, green now, in that order on its row.
    let row = body
        .split("<tr>")
        .find(|row| row.contains(">1.1<"))
        .expect("indicator 1.1's row");
    let before = row.find("light-red").expect("red before");
    let now = row.find("light-green").expect("green now");
    assert!(before < now, "{row}");

    for (who, unit, sees) in neighbours.around() {
        let mut browser = server.signed_in(&format!("lanh.dao.{who}"), Role::Leader, unit).await;
        assert_eq!(
            browser.get(&address).await.status,
            if sees { 200 } else { 404 },
            "{who}"
        );
        assert_eq!(
            browser.get("/chat-luong/chan-doan").await.body.contains("năm 2024"),
            sees,
            "{who}: the list"
        );
    }
}
