//! The web page of the notifications to applicants (`/quan-tri/thong-bao`)
//! and the dossier page's section of them, against a real SMTP server and
//! the SMS gateway's simulator: a receipt to a mailbox the server refuses is
//! parked and listed with its error; an administrator of its unit (or a unit
//! above) sends it again, from the dossier's page or the list, and the mail
//! arrives; administrators below or beside do not see it and cannot send
//! it; a leader reads without the button; the counter's clerk reads
//! neither; without a channel configured the page says so.

use std::time::Duration;

use eiso_notify_sim::MailServer;
use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::notify::v1::{ListNotificationsRequest, Notification, notification};
use eiso_proto::eiso::procedures::v1::{Channel, Dossier};
use eiso_tests::TestServer;
use eiso_tests::browser::Page;
use eiso_tests::counter::transfer_receipt;
use eiso_tests::outward::{Administrators, OutwardPage, until};
use eiso_tests::web::{id_of, next_page};

const PAGE: &str = "/quan-tri/thong-bao";
const LIST: OutwardPage = OutwardPage {
    path: PAGE,
    rows,
    none_listed: "Không có thông báo nào trong danh sách này.",
    not_configured: "Chưa cấu hình gửi thông báo cho người nộp hồ sơ",
    on_dossier_page: |page| section(page).is_some(),
    back: Some(""),
};
/// The applicant's mailbox, refused by the SMTP server at first.
const MAILBOX: &str = "binh.tran@example.vn";
const SECTION: &str = "<h2 id=\"h-thong-bao\">Thông báo cho người nộp hồ sơ</h2>";

/// `text` as the templates write it into a page (minijinja's HTML escaping).
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('/', "&#x2f;")
}

/// The e-mail of `dossier`'s receipt once `done` holds of it (up to 40 s).
async fn receipt_mail_until(
    server: &TestServer,
    dossier: &Dossier,
    done: impl Fn(&Notification) -> bool,
) -> Notification {
    let mut notifications = server.notifications(&server.admin_token);
    let mut last = None;
    for _ in 0..400 {
        let listed = notifications
            .list_notifications(ListNotificationsRequest {
                filter: format!("dossier = \"{}\"", dossier.name),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
            .notifications;
        if let Some(mail) = listed
            .into_iter()
            .find(|n| n.channel == notification::Channel::Email as i32)
        {
            if done(&mail) {
                return mail;
            }
            last = Some(mail);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{}: {last:?}", dossier.code);
}

/// Waits up to 20 s for a mail to `address`.
async fn until_mailed(mail: &MailServer, address: &str) {
    for _ in 0..200 {
        if mail.mails().iter().any(|m| m.to.iter().any(|to| to == address)) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no mail to {address}");
}

/// How many notifications a list page shows.
fn rows(page: &Page) -> usize {
    page.body.matches("<td>Trường THCS ").count()
}

/// The dossier page's section of its notifications, if it has one.
fn section(page: &Page) -> Option<&str> {
    let start = page.body.find(SECTION)?;
    let rest = &page.body[start..];
    Some(&rest[..rest.find("</section>").unwrap_or(rest.len())])
}

#[tokio::test]
async fn a_parked_mail_is_listed_and_sent_again_by_an_administrator_of_its_units() {
    // A refusal parks at the third attempt: 1 s, then 2 s of backoff.
    let (mail, sms, server) = TestServer::with_notifications_and(|n| n.retry_first_seconds = 1).await;
    mail.refuse(MAILBOX);
    let school = server.school_with_dossier().await;
    let clerk = server.login("mot.cua.a", "mot.cua.a-password").await.unwrap();
    let mut receipt = transfer_receipt(&school.school.name, "Trần Văn Bình", Channel::Direct);
    if let Some(applicant) = receipt.applicant.as_mut() {
        applicant.email = MAILBOX.into();
    }
    let dossier = server
        .dossiers(&clerk)
        .receive_dossier(receipt)
        .await
        .unwrap()
        .into_inner();
    let parked = receipt_mail_until(&server, &dossier, |n| n.state == notification::State::Parked as i32).await;
    assert_eq!(parked.attempts, 3, "{parked:?}");
    assert!(parked.last_error.contains("550"), "{parked:?}");
    assert!(mail.mails().is_empty(), "nothing delivered");

    // The system's administrator (at the root): the parked mail, opened on.
    let mut admin = server.browser_of("admin").await;
    let units = admin.get("/quan-tri/don-vi").await;
    assert!(
        units
            .body
            .contains(r#" · <a href="/quan-tri/thong-bao">Thông báo cho người nộp</a></p>"#),
        "the administration links the page: {}",
        units.body
    );
    assert!(
        admin.get("/").await.body.contains(&format!(r#"<a href="{PAGE}">"#)),
        "the home page has its card"
    );
    let page = admin.get(PAGE).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let body = &page.body;
    assert!(body.contains("<h1>Thông báo cho người nộp hồ sơ</h1>"), "{body}");
    assert!(
        body.contains(r#"aria-current="page">Bị dừng</a>"#),
        "opens on the parked: {body}"
    );
    assert_eq!(rows(&page), 1, "{body}");
    assert!(
        body.contains(&format!(r#"href="/ho-so/{}">{}</a>"#, id_of(&dossier), dossier.code)),
        "the dossier by its code, linked: {body}"
    );
    assert!(body.contains("<td>Trường THCS A</td>"), "its agency by name: {body}");
    assert!(
        body.contains(
            r#"Tiếp nhận hồ sơ<br><span class="small recipient">Thư điện tử: <span class="mono">binh***@example.vn</span>"#
        ),
        "what, how and to whom, masked: {body}"
    );
    assert!(!body.contains(MAILBOX), "never the whole address");
    assert!(body.contains(r#"<td class="num">3</td>"#), "three attempts: {body}");
    assert!(
        body.contains(&escaped(&parked.last_error)),
        "the server's answer: {body}"
    );
    let last_attempt = eiso_web::format::timestamp(parked.last_attempt_time.as_ref());
    assert!(
        body.contains(&format!("<td>{last_attempt}</td>")),
        "the last attempt in Vietnam's time ({last_attempt}): {body}"
    );
    assert!(body.contains(&LIST.resend_form(&dossier)), "{body}");
    // The SMS of both receipts went out.
    let sent = admin.get(&format!("{PAGE}?loai=da-gui")).await;
    assert_eq!(rows(&sent), 2, "{}", sent.body);
    assert!(
        sent.body
            .contains("Tin nhắn SMS: <span class=\"mono\">0912***678</span>")
    );
    assert!(!sent.body.contains("gui-lai"), "nothing to send again");
    assert_eq!(admin.get(&format!("{PAGE}?loai=khac")).await.status, 400);

    // The dossier's page lists what its applicant was told, and how it stands.
    let dossier_page = admin.get(&format!("/ho-so/{}", id_of(&dossier))).await;
    assert_eq!(dossier_page.status, 200);
    let listed = section(&dossier_page).unwrap_or_else(|| panic!("the section: {}", dossier_page.body));
    assert!(
        listed.contains(r#"<td>Tiếp nhận hồ sơ</td><td>Thư điện tử</td><td class="mono">binh***@example.vn</td>"#),
        "{listed}"
    );
    assert!(
        listed.contains(r#"<span class="status status-parked">Bị dừng</span> sau 3 lần gửi lỗi<br><span class="small">Lỗi lần cuối: "#),
        "{listed}"
    );
    assert!(listed.contains(&escaped(&parked.last_error)), "{listed}");
    let sms_sent = sms.requests().iter().any(|m| m.text.contains(&dossier.code));
    assert!(sms_sent, "the SMS went out");
    assert!(
        listed.contains(r#"<td>Tin nhắn SMS</td><td class="mono">0912***678</td>"#),
        "{listed}"
    );
    assert!(
        listed.contains(r#"<span class="status status-sent">Đã gửi</span> "#),
        "sent, with its time: {listed}"
    );
    assert!(listed.contains(&LIST.resend_form(&dossier)), "{listed}");
    assert!(listed.contains(r#"<input type="hidden" name="ve" value="ho-so">"#));

    // One rule: an administrator of the school or of the office above sees
    // it and may send it again; one of the team below or the school beside
    // sees nothing of it and is refused.
    let Administrators {
        school_admin,
        mut at_school,
        mut above,
        mut below,
        mut beside,
    } = server.administrators_around(&school).await;
    for (who, browser) in [("same unit", &mut at_school), ("above", &mut above)] {
        LIST.sees_parked(who, browser, &dossier).await;
        let dossier_page = browser.get(&format!("/ho-so/{}", id_of(&dossier))).await;
        let listed = section(&dossier_page).unwrap_or_else(|| panic!("{who}: {}", dossier_page.body));
        assert!(listed.contains(&LIST.resend_form(&dossier)), "{who}: {listed}");
    }
    for (who, browser) in [("below", &mut below), ("beside", &mut beside)] {
        LIST.sees_none_of(who, browser, &dossier).await;
        assert_eq!(rows(&browser.get(&format!("{PAGE}?loai=da-gui")).await), 0, "{who}");
    }
    // A leader of the school reads the list and the section, without the
    // button; the counter's clerk reads neither.
    let mut leader = server.signed_in("lanh.dao", Role::Leader, &school.school.name).await;
    LIST.leader_reads_without_button(&mut leader).await;
    let dossier_page = leader.get(&format!("/ho-so/{}", id_of(&dossier))).await;
    let listed = section(&dossier_page).unwrap_or_else(|| panic!("{}", dossier_page.body));
    assert!(listed.contains("status-parked"), "{listed}");
    assert!(!listed.contains("gui-lai"), "{listed}");
    assert!(
        leader.get("/").await.body.contains(&format!(r#"<a href="{PAGE}">"#)),
        "the leader's home links the page"
    );
    let refused = LIST.resend(&mut leader, &dossier, Some("ho-so")).await;
    assert_eq!(refused.status, 403, "a leader does not send again");
    LIST.clerk_reads_neither(&server, &dossier).await;
    let still = receipt_mail_until(&server, &dossier, |_| true).await;
    assert_eq!(
        still.state,
        notification::State::Parked as i32,
        "the refusals changed nothing"
    );

    LIST.forged_resend_is_refused(&mut at_school, &dossier).await;
    // The mailbox takes mail again; the school's administrator sends the
    // parked receipt again from the dossier's page, and it arrives.
    mail.accept(MAILBOX);
    let sent = LIST.resend(&mut at_school, &dossier, Some("ho-so")).await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let back = sent.location.expect("back to the dossier");
    assert_eq!(back, format!("/ho-so/{}?da=gui-lai-thong-bao", id_of(&dossier)));
    let dossier_page = at_school.get(&back).await;
    assert!(
        dossier_page
            .body
            .contains("Đã ghi nhận: <strong>Gửi lại thông báo cho người nộp hồ sơ</strong>"),
        "{}",
        dossier_page.body
    );
    until_mailed(&mail, MAILBOX).await;
    let delivered = mail
        .mails()
        .into_iter()
        .find(|m| m.to.iter().any(|to| to == MAILBOX))
        .unwrap();
    assert_eq!(delivered.subject, format!("Đã tiếp nhận hồ sơ {}", dossier.code));
    let sent_mail = receipt_mail_until(&server, &dossier, |n| n.state == notification::State::Sent as i32).await;
    let dossier_page = at_school.get(&format!("/ho-so/{}", id_of(&dossier))).await;
    let listed = section(&dossier_page).unwrap();
    assert!(
        listed.contains(&format!(
            r#"<span class="status status-sent">Đã gửi</span> {}"#,
            eiso_web::format::timestamp(sent_mail.send_time.as_ref())
        )),
        "sent, in Vietnam's time: {listed}"
    );
    assert_eq!(
        listed.matches("status-sent").count(),
        2,
        "the mail and the SMS: {listed}"
    );
    assert!(!listed.contains("gui-lai"), "nothing parked: {listed}");
    assert_eq!(rows(&at_school.get(PAGE).await), 0, "parked no more");
    assert_eq!(rows(&at_school.get(&format!("{PAGE}?loai=da-gui")).await), 3);
    // Sent again once: a second time is refused, since none is parked.
    let again = LIST.resend_from_list(&mut above, &dossier).await;
    assert_eq!(again.status, 422);
    assert!(
        again.body.contains("Hồ sơ này không còn thông báo nào bị dừng"),
        "{}",
        again.body
    );

    // The trail keeps who sent it again, as for the same call over gRPC.
    let resent = server
        .actors_of(
            "trails/notify",
            &format!("{}/notifications", dossier.name),
            "/ResendNotifications",
        )
        .await;
    assert_eq!(resent, [school_admin]);
}

#[tokio::test]
async fn the_lists_page_fifty_at_a_time_by_state_and_unit() {
    let (_mail, sms, server) = TestServer::with_notifications().await;
    let school = server.school_with_dossier().await;
    server.receive_fifty(&school).await;
    until(|| sms.requests().len() >= 51).await;
    assert_eq!(sms.requests().len(), 51);
    let mut admin = server.browser_of("admin").await;
    let list = format!("{PAGE}?loai=da-gui");
    let mut first = admin.get(&list).await;
    let mut second = None;
    for _ in 0..100 {
        // The last SMS is marked sent just after the gateway took it.
        if let Some(next) = next_page(&first) {
            let page = admin.get(&next).await;
            if rows(&page) == 1 {
                assert!(next.starts_with(&format!("{list}&trang=")), "{next}");
                second = Some(page);
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        first = admin.get(&list).await;
    }
    assert_eq!(rows(&first), 50);
    let second = second.expect("a second page of one");
    assert!(!second.body.contains("Trang sau"));
    // By unit: the school's, none beside it.
    LIST.filters_by_unit(&mut admin, &list, &school).await;
}

#[tokio::test]
async fn without_a_channel_the_page_says_it_is_not_configured() {
    let server = TestServer::start().await;
    LIST.says_it_is_not_configured(&server).await;
}
