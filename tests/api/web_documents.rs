//! The documents' pages: the list with its filters, a document with the
//! revision in force (now or on a day asked), each revision with its
//! reviews, and its files opened in the browser or downloaded as streamed
//! by the documents service; the same unit scoping as the API.

use eiso_proto::eiso::documents::v1::*;
use eiso_proto::eiso::identity::v1::Role;
use eiso_tests::TestServer;
use eiso_tests::documents::{PDF, create, procedure, upload};

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

#[tokio::test]
async fn a_documents_pages_show_its_revisions_reviews_and_files_to_those_who_may_read_it() {
    let server = TestServer::start().await;
    let units = server.school_units().await;
    let (office, school) = (&units.office, &units.school);
    let (reviewer, reviewer_token) = server.user_with_role("hieu.truong", Role::Leader, &school.name).await;
    let mut controller = server.documents(&office.controller);
    let document = controller
        .create_document(create(procedure(
            "QT-TS-01",
            "Quy trình tuyển sinh lớp 6",
            &school.name,
            Confidentiality::Restricted,
        )))
        .await
        .unwrap()
        .into_inner();
    let r1 = controller
        .create_revision(eiso_tests::documents::first_revision(&document.name))
        .await
        .unwrap()
        .into_inner();
    controller
        .check_out_revision(CheckOutRevisionRequest { name: r1.name.clone() })
        .await
        .unwrap();
    let pdf_bytes = b"%PDF-1.4 quy trinh tuyen sinh ".repeat(20_000);
    let pdf = upload(
        &mut controller,
        &r1.name,
        "QT-TS-01 Quy trình tuyển sinh.pdf",
        PDF,
        &pdf_bytes,
    )
    .await
    .unwrap();
    let docx = upload(&mut controller, &r1.name, "QT-TS-01.docx", DOCX, b"PK\x03\x04 word")
        .await
        .unwrap();
    controller
        .check_in_revision(CheckInRevisionRequest {
            name: r1.name.clone(),
            ..Default::default()
        })
        .await
        .unwrap();
    let submit = || SubmitRevisionRequest {
        name: r1.name.clone(),
        reviewers: vec![reviewer.name.clone()],
        etag: String::new(),
    };
    controller.submit_revision(submit()).await.unwrap();
    let mut reviewing = server.documents(&reviewer_token);
    reviewing
        .reject_revision(RejectRevisionRequest {
            name: r1.name.clone(),
            comment: "Bổ sung lưu đồ tuyển sinh".into(),
        })
        .await
        .unwrap();
    controller.submit_revision(submit()).await.unwrap();
    reviewing
        .approve_revision(ApproveRevisionRequest {
            name: r1.name.clone(),
            comment: "Đồng ý ban hành".into(),
        })
        .await
        .unwrap();
    controller
        .publish_revision(PublishRevisionRequest {
            name: r1.name.clone(),
            acknowledgement_units: vec![school.name.clone()],
            ..Default::default()
        })
        .await
        .unwrap();
    let id = document.name.trim_start_matches("documents/");
    let page_address = format!("/tai-lieu/{id}");
    let pdf_address = format!("/tep/{}", pdf.name);

    for (who, unit, sees) in units.readers() {
        let mut browser = server.signed_in(&format!("lanh.dao.{who}"), Role::Leader, unit).await;
        let list = browser.get("/tai-lieu").await;
        assert_eq!(list.status, 200, "{who}");
        assert_eq!(list.body.contains("QT-TS-01"), sees, "{who}: the list");
        let page = browser.get(&page_address).await;
        assert_eq!(page.status, if sees { 200 } else { 404 }, "{who}: the page");
        let file = browser.get(&pdf_address).await;
        assert_eq!(file.status, if sees { 200 } else { 404 }, "{who}: the file");
        if !sees {
            assert!(
                !page.body.contains("tuyển sinh") && !file.body.contains("tuyen sinh"),
                "{who}"
            );
        }
    }

    // The API keeps the first round's rejection beside the second round's approval.
    let published = controller
        .get_revision(GetRevisionRequest { name: r1.name.clone() })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(published.reviews.len(), 1);
    assert_eq!(published.reviews[0].round, 2);
    let earlier: Vec<_> = published
        .earlier_reviews
        .iter()
        .map(|r| (r.round, r.decision, r.comment.as_str()))
        .collect();
    assert_eq!(
        earlier,
        [(1, review::Decision::Rejected as i32, "Bổ sung lưu đồ tuyển sinh")]
    );
    let mut browser = server.browser_of("lanh.dao.same").await;
    // The page: the revision in force, the rejection and the approval by name.
    let page = browser.get(&page_address).await;
    for expected in [
        "Quy trình tuyển sinh lớp 6",
        "Trường THCS A",
        "Hạn chế",
        "Lần ban hành 1",
        "Ban hành lần đầu",
        "Người dùng hieu.truong",
        "Đồng ý ban hành",
        "vòng 2",
        "Ý kiến các vòng trước",
        "Bổ sung lưu đồ tuyển sinh",
        "QT-TS-01 Quy trình tuyển sinh.pdf",
        "QT-TS-01.docx",
    ] {
        assert!(page.body.contains(expected), "{expected} in {}", page.body);
    }
    assert!(
        page.body.contains(&format!(r#"href="{pdf_address}""#)),
        "the PDF opens in the browser"
    );
    // The day before anything was published, nothing was in force.
    let before = browser.get(&format!("{page_address}?ngay=01/01/2020")).await;
    assert!(before.body.contains("chưa có bản nào có hiệu lực"), "{}", before.body);
    let bad_day = browser.get(&format!("{page_address}?ngay=31/02/2024")).await;
    assert_eq!(bad_day.status, 400);

    // The PDF opens in the browser, byte for byte; asked to, it downloads.
    let opened = browser.get(&pdf_address).await;
    assert_eq!(opened.bytes.as_ref(), pdf_bytes.as_slice());
    assert_eq!(opened.headers["content-type"], "application/pdf");
    let disposition = opened.headers["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("inline;"), "{disposition}");
    assert!(
        disposition.contains("filename*=UTF-8''QT-TS-01%20Quy%20tr%C3%ACnh%20tuy%E1%BB%83n%20sinh.pdf"),
        "{disposition}"
    );
    assert_eq!(opened.headers["cache-control"], "private, no-store");
    let downloaded = browser.get(&format!("{pdf_address}?tai-ve=1")).await;
    assert!(
        downloaded.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    // A Word file is never shown as a page: downloaded, as bytes.
    let word = browser.get(&format!("/tep/{}", docx.name)).await;
    assert_eq!(word.headers["content-type"], "application/octet-stream");
    assert!(
        word.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    // Names that are not a file's are not asked of the service.
    assert_eq!(browser.get("/tep/documents/x/revisions/1").await.status, 404);

    // The school's staff were asked to read it: who has and who has not.
    assert!(page.body.contains("Xác nhận đã đọc: 0/1"), "{}", page.body);
    assert!(page.body.contains("Chưa xác nhận:</strong> Người dùng hieu.truong"));
    let mut head = server.browser_of("hieu.truong").await;
    let csrf = head.csrf();
    let read = head
        .post(&format!("{page_address}/lan/1/da-doc"), &[("csrf", &csrf)])
        .await;
    assert_eq!(read.status, 303);
    assert_eq!(
        read.location.as_deref(),
        Some(format!("{page_address}?da=da-doc").as_str())
    );
    assert!(
        head.get(&format!("{page_address}?da=da-doc"))
            .await
            .body
            .contains("bạn đã đọc và hiểu lần ban hành 1")
    );
    let page = browser.get(&page_address).await;
    assert!(page.body.contains("Xác nhận đã đọc: 1/1"), "{}", page.body);

    // The list's filters.
    let procedures = browser.get("/tai-lieu?loai=procedure&trang_thai=effective").await;
    assert!(procedures.body.contains("QT-TS-01"));
    let forms = browser.get("/tai-lieu?loai=form").await;
    assert!(!forms.body.contains("QT-TS-01"));
    assert!(forms.body.contains("Không có tài liệu nào theo bộ lọc này"));
    assert_eq!(browser.get("/tai-lieu?mat=secret").await.status, 400);
    // Words go to the search page, documents only.
    let words = browser.get("/tai-lieu?q=tuyen+sinh").await;
    assert_eq!(words.status, 303);
    assert_eq!(
        words.location.as_deref(),
        Some("/tim-kiem?q=tuyen%20sinh&loai=document")
    );
    server.stop().await;
}
