//! Notifications from the event stream to a real SMTP server and an SMS
//! gateway's simulator, on SQLite (or PostgreSQL when
//! `EISO_TEST_DATABASE_URL` is set): each moment of a dossier reaches its
//! applicant once, in order, in Vietnamese; a mailbox that refuses parks its
//! line without holding up anyone else's, and goes through when sent again;
//! while the mail server is down nothing is lost and attempts wait their
//! backoff.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use eiso_notify::delivery::Lookups;
use eiso_notify::notice::Names;
use eiso_notify::store::{self, State};
use eiso_notify::{Channels, Notifier, Templates};
use eiso_notify_sim::{MailServer, SmsConfig, SmsGateway};
use eiso_platform::ServiceResult;
use eiso_platform::config::NotificationsConfig;
use eiso_platform::outward::testing::{TestDb, dossier_event};
use eiso_platform::retry::Retry;
use eiso_proto::eiso::event::v1::Event;
use eiso_proto::eiso::procedures::v1::{Applicant, ApplicantType, Dossier, DossierStatus, Extension, Supplement};
use eiso_proto::prost_types::Timestamp;
use unicode_normalization::UnicodeNormalization;

/// 05/03/2025 14:30 in Vietnam.
const RECEIVED: i64 = 1_741_159_800;
const OFFICE: &str = "Phòng Giáo dục và Đào tạo huyện Thủy Nguyên";

/// The applicants as the procedures service would give them: dossier `x`
/// belongs to `x@example.vn`, phone `09120000xx`.
struct Fixed;

#[eiso_proto::tonic::async_trait]
impl Lookups for Fixed {
    async fn applicant(&self, dossier: &Dossier) -> ServiceResult<Option<Applicant>> {
        let id = dossier.name.trim_start_matches("dossiers/");
        Ok(Some(Applicant {
            full_name: "Trần Văn Nam".into(),
            email: format!("{id}@example.vn"),
            phone: format!("0912 000 0{:02}", id.len()),
            r#type: ApplicantType::Citizen as i32,
            ..Default::default()
        }))
    }

    async fn names(&self, _dossier: &Dossier) -> ServiceResult<Names> {
        Ok(Names {
            procedure: "Chuyển trường đối với học sinh trung học cơ sở".into(),
            office: OFFICE.into(),
        })
    }
}

struct Setup {
    mail: MailServer,
    sms: SmsGateway,
    notifier: Notifier,
    db: TestDb,
}

impl Setup {
    async fn finish(self) {
        self.db.finish().await;
    }
}

async fn setup(retry: Retry) -> Setup {
    let db = TestDb::fresh::<eiso_migrations::notify::Migrator>("notify").await;
    let mail = MailServer::start().expect("an SMTP server");
    let sms = SmsGateway::start(SmsConfig::default()).await.expect("an SMS gateway");
    let config: NotificationsConfig = serde_json::from_value(serde_json::json!({
        "smtp_url": mail.url(),
        "from": "Bộ phận Một cửa <motcua@thuynguyen.example.gov.vn>",
        "sms_url": sms.url(),
        "sms_token": "sms-token",
        "sms_sender": "PGDTHUYNGUYEN",
        "timeout_seconds": 5,
    }))
    .expect("a configuration");
    let channels = Arc::new(Channels::new(&config).expect("the channels"));
    let notifier = Notifier::new(
        db.db.clone(),
        channels,
        Arc::new(Templates::builtin()),
        Arc::new(Fixed),
        retry,
        Some("https://motcua.thuynguyen.example.gov.vn".into()),
    );
    Setup {
        mail,
        sms,
        notifier,
        db,
    }
}

fn at(seconds: i64) -> Option<Timestamp> {
    Some(Timestamp { seconds, nanos: 0 })
}

fn dossier(id: &str, status: DossierStatus) -> Dossier {
    let mut dossier = Dossier {
        name: format!("dossiers/{id}"),
        code: format!("000.31.H31-250305-{id}"),
        agency: "units/pgd".into(),
        applicant: None,
        status: status as i32,
        receive_time: at(RECEIVED),
        appointment_time: at(RECEIVED + 5 * 86_400),
        ..Default::default()
    };
    if matches!(status, DossierStatus::SupplementRequested) {
        dossier.supplements.push(Supplement {
            reason: "Hồ sơ thiếu giấy tờ theo quy định".into(),
            documents: vec!["Bản sao học bạ".into()],
            ..Default::default()
        });
    }
    if matches!(status, DossierStatus::InProgress | DossierStatus::Completed) {
        dossier.extension = Some(Extension {
            reason: "Cần xác minh thêm với trường nơi đi".into(),
            new_appointment_time: at(RECEIVED + 8 * 86_400),
            ..Default::default()
        });
    }
    if status == DossierStatus::Completed {
        dossier.result_summary = "Đồng ý tiếp nhận học sinh".into();
    }
    dossier
}

fn event(sequence: i64, kind: &str, d: &Dossier) -> Event {
    dossier_event(sequence, kind, d, at(RECEIVED + sequence))
}

/// A dossier's whole life: received, handed over (quiet), supplement asked,
/// extended, result ready.
fn life(id: &str, first: i64) -> Vec<Event> {
    vec![
        event(first, "received", &dossier(id, DossierStatus::Received)),
        event(first + 1, "handed_over", &dossier(id, DossierStatus::InProgress)),
        event(
            first + 2,
            "supplement_requested",
            &dossier(id, DossierStatus::SupplementRequested),
        ),
        event(first + 3, "extended", &dossier(id, DossierStatus::InProgress)),
        event(first + 4, "completed", &dossier(id, DossierStatus::Completed)),
    ]
}

async fn follow(s: &Setup, events: Vec<Event>) {
    s.notifier
        .follow(futures::stream::iter(events.into_iter().map(Ok)))
        .await
        .expect("taken in");
}

fn now() -> DateTime<Utc> {
    Utc::now()
}

/// The mails to `address`, by subject.
fn subjects(mail: &MailServer, address: &str) -> Vec<String> {
    mail.mails()
        .into_iter()
        .filter(|m| m.to.iter().any(|to| to == address))
        .map(|m| m.subject)
        .collect()
}

/// The subjects of the mails of a dossier's [`life`], in order.
fn life_subjects(code: &str) -> [String; 4] {
    [
        format!("Đã tiếp nhận hồ sơ {code}"),
        format!("Hồ sơ {code} cần bổ sung"),
        format!("Hồ sơ {code}: thư xin lỗi và hẹn lại ngày trả kết quả"),
        format!("Hồ sơ {code} đã có kết quả"),
    ]
}

#[tokio::test]
async fn each_moment_reaches_the_applicant_once_in_order_in_vietnamese() {
    let s = setup(Retry::default()).await;
    let events = life("a", 1);
    // The stream read again after a restart: nothing rendered twice.
    follow(&s, events.clone()).await;
    follow(&s, events[2..].to_vec()).await;
    assert_eq!(s.notifier.cursor().await.expect("cursor"), 5);
    let round = s.notifier.round(now()).await.expect("a round");
    assert_eq!((round.sent, round.failed), (8, 0), "{round:?}");
    assert_eq!(subjects(&s.mail, "a@example.vn"), life_subjects("000.31.H31-250305-a"));
    let mails = s.mail.mails();
    let receipt = &mails[0];
    assert_eq!(receipt.from, "motcua@thuynguyen.example.gov.vn");
    assert_eq!(
        receipt.from_header,
        "Bộ phận Một cửa <motcua@thuynguyen.example.gov.vn>"
    );
    assert_eq!(receipt.message_id, "1.email@thuynguyen.example.gov.vn");
    let text = receipt.text.replace("\r\n", "\n");
    assert_eq!(text, text.nfc().collect::<String>(), "NFC");
    for line in [
        "Kính gửi: Ông/Bà Trần Văn Nam,",
        "Phòng Giáo dục và Đào tạo huyện Thủy Nguyên đã tiếp nhận hồ sơ của Ông/Bà lúc 14 giờ 30 phút, ngày 05/03/2025.",
        "- Thủ tục: Chuyển trường đối với học sinh trung học cơ sở",
        "- Thời gian hẹn trả kết quả: 14 giờ 30 phút, ngày 10/03/2025",
        "Ông/Bà có thể theo dõi tình trạng giải quyết hồ sơ tại: https://motcua.thuynguyen.example.gov.vn/tra-cuu?ma=000.31.H31-250305-a",
    ] {
        assert!(text.lines().any(|l| l == line), "{line}\n---\n{text}");
    }
    let supplement = mails[1].text.replace("\r\n", "\n");
    assert!(
        supplement.contains("Lý do: Hồ sơ thiếu giấy tờ theo quy định\n\nNội dung cần bổ sung:\n- Bản sao học bạ\n"),
        "{supplement}"
    );
    let apology = mails[2].text.replace("\r\n", "\n");
    assert!(
        apology.contains("sẽ trả kết quả giải quyết hồ sơ cho Ông/Bà vào 14 giờ 30 phút, ngày 13/03/2025."),
        "{apology}"
    );
    let sms = s.sms.requests();
    assert_eq!(sms.len(), 4, "{sms:?}");
    assert!(
        sms.iter()
            .all(|m| m.to == "0912 000 001" && m.sender == "PGDTHUYNGUYEN")
    );
    assert_eq!(
        sms[0].text,
        "Phong Giao duc va Dao tao huyen Thuy Nguyen: da tiep nhan ho so 000.31.H31-250305-a (Chuyen truong doi voi hoc sinh trung hoc co so). Hen tra ket qua: 14 gio 30 phut, ngay 10/03/2025. Tra cuu: https://motcua.thuynguyen.example.gov.vn/tra-cuu?ma=000.31.H31-250305-a"
    );
    assert_eq!(
        sms.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(),
        ["1.sms", "3.sms", "4.sms", "5.sms"]
    );
    // Nothing twice: another round, and the stream read again.
    follow(&s, events).await;
    let round = s.notifier.round(now()).await.expect("a round");
    assert_eq!(round.sent, 0, "{round:?}");
    assert_eq!(s.mail.mails().len(), 4);
    let kept = store::of_dossier(s.notifier.db(), "dossiers/a").await.expect("read");
    assert_eq!(kept.len(), 8);
    assert!(kept.iter().all(|m| m.state == State::Sent && m.sent_us.is_some()));
    s.finish().await;
}

#[tokio::test]
async fn a_refused_mailbox_parks_its_line_without_holding_up_the_others() {
    let s = setup(Retry {
        refusals: 2,
        ..Retry::default()
    })
    .await;
    s.mail.refuse("a@example.vn");
    follow(&s, life("a", 1)).await;
    follow(&s, life("bb", 6)).await;
    let round = s.notifier.round(now()).await.expect("a round");
    assert_eq!(round.failed, 1, "a's first mail: {round:?}");
    assert_eq!(subjects(&s.mail, "a@example.vn").len(), 0);
    assert_eq!(subjects(&s.mail, "bb@example.vn").len(), 4, "another dossier goes on");
    assert_eq!(s.sms.requests().len(), 8, "a's SMS are another line");
    // The refusal is tried again after its backoff, then parked.
    let later = now() + chrono::Duration::hours(2);
    let round = s.notifier.round(later).await.expect("a round");
    assert_eq!((round.failed, round.parked), (1, 1), "{round:?}");
    let parked = store::in_state(s.notifier.db(), State::Parked, 10).await.expect("read");
    assert_eq!(parked.len(), 1);
    assert_eq!(parked[0].id, "1.email");
    assert!(parked[0].last_error.contains("refused"), "{}", parked[0].last_error);
    let waiting = store::of_dossier(s.notifier.db(), "dossiers/a").await.expect("read");
    assert_eq!(
        waiting
            .iter()
            .filter(|m| m.channel == eiso_notify::Channel::Email && m.state == State::Pending)
            .count(),
        3,
        "the later mails wait behind the parked one"
    );
    assert_eq!(
        s.notifier
            .round(later + chrono::Duration::days(1))
            .await
            .expect("a round")
            .sent,
        0,
        "a parked line stays until sent again"
    );
    // The address mended, an administrator sends it again: all four, in order.
    s.mail.accept("a@example.vn");
    assert_eq!(s.notifier.resend("dossiers/a", now()).await.expect("resent"), 1);
    assert_eq!(s.notifier.round(now()).await.expect("a round").sent, 4);
    assert_eq!(subjects(&s.mail, "a@example.vn"), life_subjects("000.31.H31-250305-a"));
    s.finish().await;
}

#[tokio::test]
async fn while_the_servers_are_down_nothing_is_lost_and_attempts_back_off() {
    let s = setup(Retry {
        first: Duration::from_secs(60),
        ..Retry::default()
    })
    .await;
    s.mail.set_down(true);
    s.sms.fail_next(1, 503);
    follow(&s, life("a", 1)).await;
    let round = s.notifier.round(now()).await.expect("a round");
    assert_eq!((round.sent, round.failed, round.parked), (0, 2, 0), "{round:?}");
    let first = store::of_dossier(s.notifier.db(), "dossiers/a").await.expect("read");
    let failing = first.iter().find(|m| m.id == "1.email").expect("the receipt mail");
    assert_eq!(failing.state, State::Failing);
    assert!(failing.last_error.contains("421"), "{}", failing.last_error);
    assert!(
        failing.next_attempt_us >= now().timestamp_micros() + 25_000_000,
        "backs off"
    );
    assert_eq!(
        s.notifier.round(now()).await.expect("a round").failed,
        0,
        "nothing tried before its time"
    );
    s.mail.set_down(false);
    let round = s
        .notifier
        .round(now() + chrono::Duration::minutes(2))
        .await
        .expect("a round");
    assert_eq!(round.sent, 8, "{round:?}");
    assert_eq!(subjects(&s.mail, "a@example.vn").len(), 4);
    assert_eq!(
        s.sms.messages().iter().map(|m| m.id.as_str()).collect::<Vec<_>>(),
        ["1.sms", "3.sms", "4.sms", "5.sms"]
    );
    // A gateway that refuses (400) parks sooner than one that is down.
    s.sms.fail_next(3, 400);
    follow(&s, vec![event(9, "received", &dossier("c", DossierStatus::Received))]).await;
    for hours in 0..3 {
        s.notifier
            .round(now() + chrono::Duration::hours(hours * 2))
            .await
            .expect("a round");
    }
    let c = store::of_dossier(s.notifier.db(), "dossiers/c").await.expect("read");
    let sms = c.iter().find(|m| m.id == "9.sms").expect("c's SMS");
    assert_eq!(sms.state, State::Parked, "{sms:?}");
    assert!(sms.last_error.contains("HTTP 400"), "{}", sms.last_error);
    s.finish().await;
}
