//! The search page: one box over everything a person may see, the matched
//! words marked, counts that narrow the search, and the same unit scoping as
//! the API (a leader of the school and of the office above it find the
//! school's dossier; a leader of a team below it or of the school beside it
//! do not).

use eiso_proto::eiso::identity::v1::Role;
use eiso_tests::TestServer;
use eiso_tests::browser::Browser;

#[tokio::test]
async fn the_search_page_finds_what_the_person_may_see_with_the_words_marked() {
    let server = TestServer::start().await;
    let eiso_tests::counter::SchoolWithDossier {
        office,
        school,
        below,
        sibling,
        dossier,
    } = server.school_with_dossier().await;
    let id = dossier.name.trim_start_matches("dossiers/").to_string();
    crate::search::caught_up(&mut server.search(&server.admin_token)).await;

    for (who, unit, sees) in
        eiso_tests::web::scoped_readers(&school.name, &office.unit.name, &below.name, &sibling.name)
    {
        let mut browser = server.signed_in(&format!("lanh.dao.{who}"), Role::Leader, unit).await;
        // Without diacritics, from the box in every page's header.
        let home = browser.get("/").await;
        assert!(
            home.body.contains(r#"action="/tim-kiem""#),
            "{who}: the header's search box"
        );
        let page = browser.get("/tim-kiem?q=chuyen+truong").await;
        assert_eq!(page.status, 200, "{who}");
        assert_eq!(page.body.contains(&dossier.code), sees, "{who}: {}", page.body);
        assert_eq!(
            page.body.contains(&format!(r#"href="/ho-so/{id}""#)),
            sees,
            "{who}: the link"
        );
        if !sees {
            assert!(!page.body.contains("Trần Thị Bình"), "{who}");
            continue;
        }
        // The matched words are marked, in the text as written.
        assert!(
            page.body
                .to_lowercase()
                .contains("<mark>chuyển</mark> <mark>trường</mark>"),
            "{who}: {}",
            page.body
        );
        // Counts by kind, unit and status, in Vietnamese, as links that narrow.
        assert!(page.body.contains("Hồ sơ TTHC"), "{who}: the kind's name");
        assert!(page.body.contains("Trường THCS A"), "{who}: the unit's name");
        assert!(page.body.contains("Đã tiếp nhận"), "{who}: the status's name");
        assert!(
            page.body.contains("/tim-kiem?q=chuyen%20truong&amp;loai=dossier"),
            "{who}"
        );
        let narrowed = browser.get("/tim-kiem?q=chuyen%20truong&loai=dossier").await;
        assert!(narrowed.body.contains(&dossier.code), "{who}");
        assert!(narrowed.body.contains("Bỏ mọi bộ lọc"), "{who}");
        let other_kind = browser.get("/tim-kiem?q=chuyen%20truong&loai=finding").await;
        assert!(!other_kind.body.contains(&dossier.code), "{who}");
        assert!(other_kind.body.contains("Không tìm thấy kết quả nào"), "{who}");
        let newest = browser.get("/tim-kiem?q=chuyen%20truong&sap_xep=moi-nhat").await;
        assert!(newest.body.contains("<strong>mới nhất</strong>"), "{who}");
        // Those who may see personal data see whose dossier it is.
        assert!(page.body.contains("Người nộp: Trần Thị Bình"), "{who}: {}", page.body);
        // An abbreviation finds the words written out, without a notice.
        let abbreviated = browser.get("/tim-kiem?q=chuyen+truong+thcs").await;
        assert!(abbreviated.body.contains(&dossier.code), "{who}: {}", abbreviated.body);
        assert!(!abbreviated.body.contains("Có phải bạn muốn tìm"), "{who}");
        assert!(!abbreviated.body.contains("search-notice"), "{who}");
        // A slip of the fingers: found, below what matches as typed, with the
        // words as the index spells them offered as a link.
        let slip = browser.get("/tim-kiem?q=chuyen+truogn").await;
        assert!(slip.body.contains(&dossier.code), "{who}: {}", slip.body);
        assert!(
            slip.body.contains("Có phải bạn muốn tìm: <a href=\"/tim-kiem?q=chuy%E1%BB%83n%20tr%C6%B0%E1%BB%9Dng\"><strong>chuyển trường</strong></a>?"),
            "{who}: {}",
            slip.body
        );
        assert!(slip.body.contains("từ viết gần giống"), "{who}");
        // Words no item has all of: the items with some, said to be partial.
        let some = browser.get("/tim-kiem?q=chuyen+truong+kiemdinh").await;
        assert!(some.body.contains(&dossier.code), "{who}: {}", some.body);
        assert!(
            some.body.contains("Không có kết quả nào có đủ mọi từ đã gõ"),
            "{who}: {}",
            some.body
        );
        // Words that only exclude: the page says why beside the box, not an error page.
        let excluded = browser.get("/tim-kiem?q=-thcs").await;
        assert_eq!(excluded.status, 200, "{who}");
        assert!(
            excluded.body.contains("Không có từ nào để tìm"),
            "{who}: {}",
            excluded.body
        );
        assert!(
            excluded.body.contains(r#"value="-thcs""#),
            "{who}: the words stay in the box"
        );
    }

    // A query the service refuses comes back as a page that says why.
    let mut browser = server.browser_of("lanh.dao.same").await;
    let long = "a".repeat(501);
    let refused = browser.get(&format!("/tim-kiem?q={long}")).await;
    assert_eq!(refused.status, 400);
    assert!(refused.body.contains("dài quá 500 ký tự"), "{}", refused.body);
    // Signed out, the page leads to sign-in.
    let anonymous = Browser::new(server.addr).get("/tim-kiem?q=chuyen").await;
    assert_eq!(anonymous.status, 303);
    server.stop().await;
}
