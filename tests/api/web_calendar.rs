//! The working calendar's page: a year not yet confirmed shows the rules'
//! proposal (Tết 2027 on 6 February) and is confirmed from the page; a day
//! off is added and removed as the government announces; an office's
//! administrator keeps the office's calendar, not the one beside it.

use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::procedures::v1::*;
use eiso_tests::TestServer;

#[tokio::test]
async fn an_administrator_confirms_a_year_and_keeps_its_days_from_the_page() {
    let server = TestServer::start().await;
    let eiso_tests::Neighbours { office, sibling, .. } = server.office_with_neighbours().await;
    let mut admin = server.signed_in("quan.tri.pgd", Role::Admin, &office.name).await;
    let csrf = admin.csrf();
    let address = format!("/quan-tri/lich?don_vi={}&nam=2027", office.name);
    let page = admin.get(&address).await;
    assert_eq!(page.status, 200, "{}", page.body);
    for expected in [
        "Năm 2027: đề xuất, chưa xác nhận",
        "06/02/2027",
        "Xác nhận lịch năm 2027",
    ] {
        assert!(page.body.contains(expected), "{expected}: {}", page.body);
    }
    let year_name = format!("calendars/{}/years/2027", office.name.trim_start_matches("units/"));
    let stored = |server: &TestServer| {
        let mut calendars = server.calendars(&server.admin_token);
        let name = year_name.clone();
        async move {
            calendars
                .get_calendar_year(GetCalendarYearRequest { name })
                .await
                .map(|r| r.into_inner())
        }
    };
    assert!(stored(&server).await.is_err(), "proposing stores nothing");
    let confirmed = admin
        .post(
            "/quan-tri/lich/xac-nhan",
            &[
                ("csrf", csrf.as_str()),
                ("don_vi", office.name.as_str()),
                ("nam", "2027"),
            ],
        )
        .await;
    assert_eq!(confirmed.status, 303, "{}", confirmed.body);
    let year = stored(&server).await.expect("stored");
    assert!(!year.proposal, "confirmed");
    let days_off = year.days_off.len();
    let page = admin.get(&address).await;
    assert!(page.body.contains("Năm 2027: đã xác nhận"), "{}", page.body);

    // A day off the government announces later, added, then taken back.
    let etag = page.input("etag").expect("the year's etag");
    let added = admin
        .post(
            "/quan-tri/lich/them-ngay",
            &[
                ("csrf", csrf.as_str()),
                ("don_vi", office.name.as_str()),
                ("nam", "2027"),
                ("etag", etag.as_str()),
                ("ngay", "15/06/2027"),
                ("ten", "Nghỉ theo quyết định của Ủy ban"),
                ("loai", "nghi"),
            ],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.body);
    let year = stored(&server).await.expect("stored");
    assert_eq!(year.days_off.len(), days_off + 1);
    let page = admin.get(&address).await;
    assert!(page.body.contains("Nghỉ theo quyết định của Ủy ban"));
    // A day already in the calendar (1 May 2027 is a Saturday: the rules give 3 May).
    let twice = admin
        .post(
            "/quan-tri/lich/them-ngay",
            &[
                ("csrf", csrf.as_str()),
                ("don_vi", office.name.as_str()),
                ("nam", "2027"),
                ("ngay", "03/05/2027"),
                ("ten", "Nghỉ bù"),
                ("loai", "nghi"),
            ],
        )
        .await;
    assert_eq!(twice.status, 422);
    assert!(twice.body.contains("Một ngày có hai lần trong lịch"), "{}", twice.body);
    // A stale form (the etag before the change) is refused, nothing lost.
    let stale = admin
        .post(
            "/quan-tri/lich/them-ngay",
            &[
                ("csrf", csrf.as_str()),
                ("don_vi", office.name.as_str()),
                ("nam", "2027"),
                ("etag", etag.as_str()),
                ("ngay", "04/05/2027"),
                ("ten", "Ngày khác"),
                ("loai", "nghi"),
            ],
        )
        .await;
    assert_eq!(stale.status, 422);
    assert!(stale.body.contains("Lịch vừa được người khác sửa"), "{}", stale.body);
    let index = year
        .days_off
        .iter()
        .position(|d| d.label == "Nghỉ theo quyết định của Ủy ban")
        .expect("the day")
        .to_string();
    let removed = admin
        .post(
            "/quan-tri/lich/bo-ngay",
            &[
                ("csrf", csrf.as_str()),
                ("don_vi", office.name.as_str()),
                ("nam", "2027"),
                ("etag", year.etag.as_str()),
                ("loai", "nghi"),
                ("so", index.as_str()),
            ],
        )
        .await;
    assert_eq!(removed.status, 303, "{}", removed.body);
    assert_eq!(stored(&server).await.expect("stored").days_off.len(), days_off);

    // The calendar beside the office is not this administrator's.
    let refused = admin
        .post(
            "/quan-tri/lich/xac-nhan",
            &[
                ("csrf", csrf.as_str()),
                ("don_vi", sibling.name.as_str()),
                ("nam", "2027"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("Bạn không quản trị lịch của đơn vị này."),
        "{}",
        refused.body
    );
    // A leader reads nothing to change.
    let mut leader = server.signed_in("lanh.dao", Role::Leader, &office.name).await;
    let page = leader.get(&address).await;
    assert!(!page.body.contains("Xác nhận lịch năm"), "{}", page.body);
}
