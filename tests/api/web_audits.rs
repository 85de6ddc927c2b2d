//! An internal audit worked from its page — started, a finding recorded by
//! clause, a controlled document found by searching and linked as its
//! evidence, a corrective action opened for the nonconformity, the audit
//! completed — and the action taken through its page to verified closure,
//! verified by someone who owns none of its actions; every step refused to
//! a person the quality service refuses, and the pages scoped by unit.

use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::quality::v1::*;
use eiso_tests::TestServer;

/// Today as the pages write it.
fn today_text() -> String {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Ho_Chi_Minh)
        .format("%d/%m/%Y")
        .to_string()
}

/// Today in Vietnam, as the API takes a day.
fn local_today() -> Option<eiso_proto::eiso::procedures::v1::LocalDate> {
    use chrono::Datelike;
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Ho_Chi_Minh)
        .date_naive();
    Some(eiso_proto::eiso::procedures::v1::LocalDate {
        year: today.year(),
        month: today.month() as i32,
        day: today.day() as i32,
    })
}

#[tokio::test]
async fn an_audit_is_worked_from_its_page_to_a_verified_and_closed_corrective_action() {
    let server = TestServer::start().await;
    let office = server.education_office().await;
    let counter_unit = server.create_unit("BPMC", "Bộ phận Một cửa", &office.unit.name).await;
    let (_, leader_token) = server.user_with_role("lanh.dao", Role::Leader, &office.unit.name).await;
    let (me, auditor_token) = server
        .user_with_role("danh.gia", Role::InternalAuditor, &office.unit.name)
        .await;
    let mut auditor = server.browser_of("danh.gia").await;
    let csrf = auditor.csrf();
    // The leader sets up the year's programme from the page; the auditor plans the audit there.
    let mut leader_browser = server.browser_of("lanh.dao").await;
    let leader_csrf = leader_browser.csrf();
    let year = chrono::Utc::now().format("%Y").to_string();
    let made = leader_browser
        .post(
            "/chat-luong/danh-gia/chuong-trinh",
            &[
                ("csrf", &leader_csrf),
                ("request_id", "programme-of-the-year"),
                ("don_vi", &office.unit.name),
                ("nam", &year),
                ("ten_chuong_trinh", &format!("Chương trình đánh giá nội bộ năm {year}")),
            ],
        )
        .await;
    assert_eq!(made.status, 303, "{}", made.body);
    let programme = server
        .quality(&leader_token)
        .list_audit_programmes(ListAuditProgrammesRequest::default())
        .await
        .unwrap()
        .into_inner()
        .programmes
        .remove(0);
    let list = auditor.get("/chat-luong/danh-gia").await;
    assert!(list.body.contains("Lập kế hoạch cuộc đánh giá"), "{}", list.body);
    assert!(
        list.body.contains(&format!(r#"value="{}""#, me.name)),
        "the auditor is offered"
    );
    let today = today_text();
    let plan = |auditee: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("request_id", format!("audit-{auditee}")),
            ("chuong_trinh", programme.name.clone()),
            ("ten", "Đánh giá nội bộ Bộ phận Một cửa".to_string()),
            ("pham_vi", "Quy trình tiếp nhận và trả kết quả hồ sơ".to_string()),
            ("dieu_khoan", "7.5, 8.5".to_string()),
            ("don_vi_duoc_danh_gia", auditee.to_string()),
            ("chuyen_gia", me.name.clone()),
            ("tu_ngay", today.clone()),
            ("den_ngay", today.clone()),
        ]
    };
    // A unit outside the programme's: refused, named, the form kept.
    let outside = server
        .create_unit("PTP", "Phòng Tư pháp", &server.root_unit().await.name)
        .await;
    let fields = plan(&outside.name);
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = auditor.post("/chat-luong/danh-gia/cuoc-moi", &borrowed).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("thuộc đơn vị của chương trình"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("Quy trình tiếp nhận và trả kết quả hồ sơ"),
        "kept"
    );
    let fields = plan(&counter_unit.name);
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let planned = auditor.post("/chat-luong/danh-gia/cuoc-moi", &borrowed).await;
    assert_eq!(planned.status, 303, "{}", planned.body);
    let id = planned
        .location
        .unwrap()
        .trim_start_matches("/chat-luong/danh-gia/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let page_address = format!("/chat-luong/danh-gia/{id}");
    let audit = server
        .quality(&auditor_token)
        .get_audit(GetAuditRequest {
            name: format!("audits/{id}"),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(audit.criteria, ["7.5", "8.5"]);
    assert_eq!(audit.auditees, std::slice::from_ref(&counter_unit.name));

    // The checklist: a question added, then answered.
    let page = auditor.get(&page_address).await;
    let added = auditor
        .post(
            &format!("{page_address}/them-cau-hoi"),
            &[
                ("csrf", &csrf),
                ("request_id", "q1"),
                ("etag", &page.input("etag").unwrap()),
                ("dieu_khoan_moi", "7.5.3"),
                ("cau_hoi", "Sổ theo dõi hồ sơ có ghi ngày trả kết quả không?"),
            ],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.body);
    let page = auditor.get(&page_address).await;
    let answered = auditor
        .post(
            &format!("{page_address}/danh-muc"),
            &[
                ("csrf", &csrf),
                ("request_id", "r1"),
                ("etag", &page.input("etag").unwrap()),
                ("ket_qua_0", "nonconforming"),
                ("ghi_chu_0", "3/20 hồ sơ thiếu ngày trả"),
            ],
        )
        .await;
    assert_eq!(answered.status, 303, "{}", answered.body);
    let audit = server
        .quality(&auditor_token)
        .get_audit(GetAuditRequest {
            name: format!("audits/{id}"),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(audit.checklist.len(), 1);
    assert_eq!(audit.checklist[0].result, ChecklistResult::Nonconforming as i32);
    assert_eq!(audit.checklist[0].note, "3/20 hồ sơ thiếu ngày trả");

    let list = auditor.get("/chat-luong/danh-gia").await;
    assert!(list.body.contains("Đánh giá nội bộ Bộ phận Một cửa"), "{}", list.body);
    assert!(list.body.contains(&page_address));
    let page = auditor.get(&page_address).await;
    assert!(page.body.contains("Bắt đầu đánh giá"), "{}", page.body);
    assert!(!page.body.contains("Ghi nhận phát hiện"), "not before it starts");
    let started = auditor
        .post(
            &format!("{page_address}/bat-dau"),
            &[("csrf", &csrf), ("etag", &page.input("etag").unwrap())],
        )
        .await;
    assert_eq!(started.status, 303, "{}", started.body);

    // A finding without its statement: named, nothing recorded.
    let page = auditor.get(&page_address).await;
    let request_id = page.input("request_id").unwrap();
    let bare = auditor
        .post(
            &format!("{page_address}/phat-hien"),
            &[
                ("csrf", &csrf),
                ("request_id", &request_id),
                ("loai", "minor_nonconformity"),
                ("dieu_khoan", "7.5.3"),
                ("noi_dung", ""),
                ("don_vi", &counter_unit.name),
            ],
        )
        .await;
    assert_eq!(bare.status, 422, "{}", bare.body);
    assert!(bare.body.contains("Nhập nội dung phát hiện"), "{}", bare.body);
    let finding_fields = [
        ("csrf", csrf.as_str()),
        ("request_id", request_id.as_str()),
        ("loai", "minor_nonconformity"),
        ("dieu_khoan", "7.5.3"),
        ("noi_dung", "Sổ theo dõi hồ sơ không ghi ngày trả kết quả"),
        ("don_vi", counter_unit.name.as_str()),
    ];
    let recorded = auditor
        .post(&format!("{page_address}/phat-hien"), &finding_fields)
        .await;
    assert_eq!(recorded.status, 303, "{}", recorded.body);
    // Sent twice (a retry): one finding.
    assert_eq!(
        auditor
            .post(&format!("{page_address}/phat-hien"), &finding_fields)
            .await
            .status,
        303
    );
    let findings = server
        .quality(&auditor_token)
        .list_findings(ListFindingsRequest {
            parent: audit.name.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .findings;
    assert_eq!(findings.len(), 1);
    let finding_id = findings[0].name.rsplit('/').next().unwrap().to_string();

    // Evidence: the counter's procedure, found without diacritics, linked.
    let document = server
        .documents(&office.controller)
        .create_document(eiso_tests::documents::counter_procedure(&office.unit.name))
        .await
        .unwrap()
        .into_inner();
    crate::search::caught_up(&mut server.search(&server.admin_token)).await;
    let found = auditor
        .get(&format!(
            "{page_address}?phat_hien={finding_id}&tim=quy+trinh+tiep+nhan"
        ))
        .await;
    assert!(
        found.body.contains("Quy trình tiếp nhận và trả kết quả hồ sơ"),
        "{}",
        found.body
    );
    let linked = auditor
        .post(
            &format!("{page_address}/minh-chung"),
            &[
                ("csrf", &csrf),
                ("phat_hien", &finding_id),
                ("minh_chung", &document.name),
            ],
        )
        .await;
    assert_eq!(linked.status, 303, "{}", linked.body);
    let page = auditor.get(&page_address).await;
    let document_href = format!(r#"href="/tai-lieu/{}""#, document.name.trim_start_matches("documents/"));
    assert!(page.body.contains(&document_href), "{}", page.body);
    assert!(page.body.contains("Sổ theo dõi hồ sơ không ghi ngày trả kết quả"));
    assert!(
        page.body.contains("Không phù hợp nhỏ") || page.body.contains("không phù hợp"),
        "{}",
        page.body
    );

    // The audit does not complete while the nonconformity has no action.
    let early = auditor
        .post(
            &format!("{page_address}/ket-thuc"),
            &[("csrf", &csrf), ("ket_luan", "Hệ thống vận hành phù hợp")],
        )
        .await;
    assert_eq!(early.status, 422);
    assert!(early.body.contains("chưa có hành động khắc phục"), "{}", early.body);
    let opened = auditor
        .post(
            &format!("{page_address}/khac-phuc"),
            &[
                ("csrf", &csrf),
                ("request_id", &format!("{request_id}-{finding_id}")),
                ("phat_hien", &finding_id),
                ("su_khong_phu_hop", "Sổ theo dõi không ghi ngày trả kết quả"),
                ("han", "31/12/2099"),
            ],
        )
        .await;
    assert_eq!(opened.status, 303, "{}", opened.body);
    let completed = auditor
        .post(
            &format!("{page_address}/ket-thuc"),
            &[
                ("csrf", &csrf),
                ("ket_luan", "Hệ thống vận hành phù hợp, một điểm không phù hợp nhỏ"),
            ],
        )
        .await;
    assert_eq!(completed.status, 303, "{}", completed.body);
    let page = auditor.get(&page_address).await;
    assert!(page.body.contains("Hành động khắc phục của phát hiện này"));
    let action = server
        .quality(&auditor_token)
        .list_corrective_actions(ListCorrectiveActionsRequest::default())
        .await
        .unwrap()
        .into_inner()
        .corrective_actions
        .remove(0);
    let action_address = eiso_web_action_href(&action.name);
    assert!(page.body.contains(&format!(r#"href="{action_address}""#)));

    // The action: the leader plans it with the counter's clerk as owner.
    let (clerk, _) = server
        .user_with_role("mot.cua", Role::CounterStaff, &counter_unit.name)
        .await;
    let mut leader = server.browser_of("lanh.dao").await;
    let leader_csrf = leader.csrf();
    let page = leader.get(&action_address).await;
    assert!(page.body.contains("Lập kế hoạch khắc phục"), "{}", page.body);
    let no_row = leader
        .post(
            &format!("{action_address}/lap-ke-hoach"),
            &[("csrf", &leader_csrf), ("nguyen_nhan", "Mẫu sổ cũ thiếu cột")],
        )
        .await;
    assert_eq!(no_row.status, 422);
    assert!(no_row.body.contains("Nhập ít nhất một việc cần làm"));
    let planned = leader
        .post(
            &format!("{action_address}/lap-ke-hoach"),
            &[
                ("csrf", &leader_csrf),
                ("etag", &page.input("etag").unwrap()),
                ("nguyen_nhan", "Mẫu sổ cũ thiếu cột ngày trả kết quả"),
                ("mo_ta_1", "Dùng mẫu sổ số 06 theo Thông tư 01/2018"),
                ("nguoi_1", &clerk.name),
                ("han_1", "30/12/2099"),
                ("mo_ta_2", ""),
            ],
        )
        .await;
    assert_eq!(planned.status, 303, "{}", planned.body);
    let page = leader.get(&action_address).await;
    for expected in [
        "Mẫu sổ cũ thiếu cột ngày trả kết quả",
        "Dùng mẫu sổ số 06 theo Thông tư 01/2018",
        "Người dùng mot.cua",
        "30/12/2099",
        "Ghi nhận đã thực hiện",
    ] {
        assert!(page.body.contains(expected), "{expected}: {}", page.body);
    }
    let done = leader
        .post(
            &format!("{action_address}/thuc-hien"),
            &[("csrf", &leader_csrf), ("ket_qua", "Đã in và dùng sổ mới từ hôm nay")],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    // The auditor verifies (owns no action), then it is closed.
    let verified = auditor
        .post(
            &format!("{action_address}/kiem-tra"),
            &[
                ("csrf", &csrf),
                ("hieu_luc", "co"),
                ("nhan_xet", "Kiểm tra 20 hồ sơ tháng này: đủ ngày trả"),
            ],
        )
        .await;
    assert_eq!(verified.status, 303, "{}", verified.body);
    let page = auditor.get(&action_address).await;
    assert!(page.body.contains("Có hiệu lực"), "{}", page.body);
    assert!(page.body.contains(&today_text()));
    let closed = leader
        .post(&format!("{action_address}/dong"), &[("csrf", &leader_csrf)])
        .await;
    assert_eq!(closed.status, 303, "{}", closed.body);
    let action = server
        .quality(&auditor_token)
        .get_corrective_action(GetCorrectiveActionRequest {
            name: action.name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(action.state, corrective_action::State::Closed as i32);
    let board = leader.get("/chat-luong/hanh-dong").await;
    assert!(
        board.body.contains(&format!(r#"href="{action_address}""#)),
        "{}",
        board.body
    );
}

/// The action page's address, as the pages write it.
fn eiso_web_action_href(name: &str) -> String {
    format!(
        "/chat-luong/hanh-dong/{}",
        name.trim_start_matches("correctiveActions/")
    )
}

#[tokio::test]
async fn an_owner_of_the_action_does_not_verify_it_and_pages_follow_the_units() {
    let server = TestServer::start().await;
    let mut quality = server.quality_office().await;
    let (below, sibling) = server.counter_neighbours(&quality).await;
    let (audit, finding) = quality.audit_counter(local_today()).await;
    let eiso_tests::quality::QualityOffice {
        office,
        counter_unit,
        leader_user,
        leader: mut leader_client,
        mut auditing,
        ..
    } = quality;
    let action = auditing
        .create_corrective_action(CreateCorrectiveActionRequest {
            corrective_action: Some(CorrectiveAction {
                finding: finding.name.clone(),
                ..Default::default()
            }),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    replan_and_implement(&mut leader_client, &action.name, &leader_user.name, "Đã sửa").await;
    let action_address = eiso_web_action_href(&action.name);
    // The owner of the action's one task may not verify it.
    let mut leader = server.browser_of("lanh.dao").await;
    let csrf = leader.csrf();
    let refused = leader
        .post(
            &format!("{action_address}/kiem-tra"),
            &[("csrf", &csrf), ("hieu_luc", "co"), ("nhan_xet", "Tự kiểm tra")],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("không được là người thực hiện"),
        "{}",
        refused.body
    );

    let audit_address = format!("/chat-luong/danh-gia/{}", audit.name.trim_start_matches("audits/"));
    // The action belongs to the unit audited; the audit to its programme's unit (the office).
    for (who, unit, sees, sees_audit) in [
        ("same", counter_unit.name.as_str(), true, false),
        ("ancestor", office.name.as_str(), true, true),
        ("descendant", below.name.as_str(), false, false),
        ("sibling", sibling.name.as_str(), false, false),
    ] {
        let mut browser = server.signed_in(&format!("kiem.tra.{who}"), Role::Leader, unit).await;
        let csrf = browser.csrf();
        let page = browser.get(&action_address).await;
        assert_eq!(page.status, if sees { 200 } else { 404 }, "{who}: the action");
        let audit_page = browser.get(&audit_address).await;
        assert_eq!(
            audit_page.status,
            if sees_audit { 200 } else { 404 },
            "{who}: the audit"
        );
        let list = browser.get("/chat-luong/danh-gia").await;
        assert_eq!(
            list.body.contains("Đánh giá nội bộ Bộ phận Một cửa"),
            sees_audit,
            "{who}: the list"
        );
        // Verifying: allowed to those over the unit, refused (nothing recorded) to the others.
        let verified = browser
            .post(
                &format!("{action_address}/kiem-tra"),
                &[
                    ("csrf", &csrf),
                    ("hieu_luc", "khong"),
                    ("nhan_xet", &format!("Kiểm tra bởi {who}")),
                ],
            )
            .await;
        if sees {
            assert_eq!(verified.status, 303, "{who}: {}", verified.body);
            // Not effective: back to planning, verified again by the next one.
            replan_and_implement(&mut leader_client, &action.name, &leader_user.name, "Đã sửa lại").await;
        } else {
            assert!(matches!(verified.status, 403 | 404), "{who}: {}", verified.status);
        }
    }
    let action = auditing
        .get_corrective_action(GetCorrectiveActionRequest {
            name: action.name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    let verifiers: Vec<&str> = action.verifications.iter().map(|v| v.note.as_str()).collect();
    assert_eq!(verifiers, ["Kiểm tra bởi same", "Kiểm tra bởi ancestor"]);
}

/// `owner` plans the action (one task, due tomorrow, owned by them) and
/// reports it carried out with `note`.
async fn replan_and_implement(client: &mut eiso_tests::Quality, action: &str, owner: &str, note: &str) {
    use chrono::Datelike;
    let tomorrow = chrono::Utc::now().date_naive() + chrono::Days::new(1);
    client
        .plan_corrective_action(PlanCorrectiveActionRequest {
            name: action.into(),
            root_cause: "Thiếu cột".into(),
            actions: vec![PlannedAction {
                description: "Sửa mẫu sổ".into(),
                owner: owner.into(),
                due_date: Some(eiso_proto::eiso::procedures::v1::LocalDate {
                    year: tomorrow.year(),
                    month: tomorrow.month() as i32,
                    day: tomorrow.day() as i32,
                }),
            }],
            ..Default::default()
        })
        .await
        .unwrap();
    client
        .implement_corrective_action(ImplementCorrectiveActionRequest {
            name: action.into(),
            note: note.into(),
            ..Default::default()
        })
        .await
        .unwrap();
}
