//! Applicants' notifications, run by the server against a real SMTP server
//! and an SMS gateway's simulator: receipt, supplement asked, extension and
//! result ready each reach the applicant once, in order, in Vietnamese (the
//! SMS without diacritics); a dossier whose applicant gave no e-mail gets
//! its SMS only; moments that do not concern the applicant send nothing.

use std::time::Duration;

use eiso_notify_sim::{Mail, MailServer, SmsGateway};
use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::procedures::v1::{
    Channel, CompleteDossierRequest, ExtendDossierRequest, RequestSupplementRequest,
};
use eiso_tests::TestServer;
use eiso_tests::counter::transfer_receipt;

/// Waits up to 20 s for `n` mails and `m` SMS.
async fn until_sent(mail: &MailServer, sms: &SmsGateway, n: usize, m: usize) {
    for _ in 0..200 {
        if mail.mails().len() >= n && sms.requests().len() >= m {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        (mail.mails().len(), sms.requests().len()),
        (n, m),
        "mails {:?}",
        mail.mails().iter().map(|m| &m.subject).collect::<Vec<_>>()
    );
}

fn text(mail: &Mail) -> String {
    mail.text.replace("\r\n", "\n")
}

#[tokio::test]
async fn each_moment_of_a_dossier_reaches_its_applicant_in_vietnamese() {
    let (mail, sms, server) = TestServer::with_notifications().await;
    // Trần Thị Bình gave a phone number and no e-mail: her receipt by SMS only.
    let school = server.school_with_dossier().await;
    let (_, clerk) = server
        .user_with_role("mot.cua.b", Role::CounterStaff, &school.school.name)
        .await;
    let (_, leader) = server
        .user_with_role("hieu.truong", Role::Leader, &school.school.name)
        .await;
    let receive = |name: &str, email: &str| {
        let mut receipt = transfer_receipt(&school.school.name, name, Channel::Direct);
        if let Some(applicant) = receipt.applicant.as_mut() {
            applicant.email = email.into();
        }
        receipt
    };
    let mut counter = server.dossiers(&clerk);
    let first = counter
        .receive_dossier(receive("Nguyễn Văn An", "an.nguyen@example.vn"))
        .await
        .expect("received")
        .into_inner();
    let second = counter
        .receive_dossier(receive("Lê Thị Hoa", "hoa.le@example.vn"))
        .await
        .expect("received")
        .into_inner();
    let mut leading = server.dossiers(&leader);
    leading
        .request_supplement(RequestSupplementRequest {
            name: first.name.clone(),
            reason: "Thiếu học bạ".into(),
            documents: vec!["Học bạ (bản sao)".into()],
        })
        .await
        .expect("a supplement asked");
    let appointment = chrono::Utc::now() + chrono::Duration::days(20);
    leading
        .extend_dossier(ExtendDossierRequest {
            name: second.name.clone(),
            reason: "Cần xác minh thêm với trường nơi đi".into(),
            new_appointment_time: Some(eiso_platform::aip::time::timestamp(appointment)),
        })
        .await
        .expect("extended");
    leading
        .complete_dossier(CompleteDossierRequest {
            name: second.name.clone(),
            result_summary: "Đồng ý chuyển trường".into(),
            digitised: true,
        })
        .await
        .expect("completed");

    until_sent(&mail, &sms, 5, 6).await;
    let to = |address: &str| -> Vec<Mail> {
        mail.mails()
            .into_iter()
            .filter(|m| m.to.iter().any(|to| to == address))
            .collect()
    };
    let an = to("an.nguyen@example.vn");
    assert_eq!(
        an.iter().map(|m| m.subject.clone()).collect::<Vec<_>>(),
        [
            format!("Đã tiếp nhận hồ sơ {}", first.code),
            format!("Hồ sơ {} cần bổ sung", first.code),
        ]
    );
    let receipt = text(&an[0]);
    let appointment_line = format!(
        "- Thời gian hẹn trả kết quả: {}",
        eiso_platform::vi::time_and_date(
            eiso_platform::aip::time::stored_instant(first.appointment_time.as_ref().expect("an appointment"))
                .expect("an instant")
        )
    );
    for line in [
        "Kính gửi: Ông/Bà Nguyễn Văn An,",
        "- Thủ tục: Chuyển trường đối với học sinh trung học cơ sở",
        appointment_line.as_str(),
        &format!(
            "Ông/Bà có thể theo dõi tình trạng giải quyết hồ sơ tại: https://motcua.thuynguyen.example.gov.vn/tra-cuu?ma={}",
            first.code
        ),
    ] {
        assert!(receipt.lines().any(|l| l == line), "{line}\n---\n{receipt}");
    }
    assert!(
        receipt.contains("Trường THCS A đã tiếp nhận hồ sơ của Ông/Bà lúc "),
        "the receiving school speaks: {receipt}"
    );
    assert_eq!(an[0].from_header, eiso_tests::notify::NOTIFY_FROM);
    assert!(
        text(&an[1]).contains("Lý do: Thiếu học bạ\n\nNội dung cần bổ sung:\n- Học bạ (bản sao)\n"),
        "{}",
        text(&an[1])
    );
    let hoa = to("hoa.le@example.vn");
    assert_eq!(
        hoa.iter().map(|m| m.subject.clone()).collect::<Vec<_>>(),
        [
            format!("Đã tiếp nhận hồ sơ {}", second.code),
            format!("Hồ sơ {}: thư xin lỗi và hẹn lại ngày trả kết quả", second.code),
            format!("Hồ sơ {} đã có kết quả", second.code),
        ]
    );
    assert!(
        text(&hoa[1]).contains(&format!(
            "Trường THCS A sẽ trả kết quả giải quyết hồ sơ cho Ông/Bà vào {}.",
            eiso_platform::vi::time_and_date(
                eiso_platform::aip::time::stored_instant(&eiso_platform::aip::time::timestamp(appointment))
                    .expect("an instant")
            )
        )),
        "{}",
        text(&hoa[1])
    );
    assert!(
        text(&hoa[2]).contains("Kết quả: Đồng ý chuyển trường"),
        "{}",
        text(&hoa[2])
    );

    // The SMS: every dossier (all gave a phone), without diacritics.
    let messages = sms.requests();
    assert!(
        messages.iter().all(|m| m.to == "0912 345 678" && m.text.is_ascii()),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m
            .text
            .starts_with(&format!("Truong THCS A: da tiep nhan ho so {}", school.dossier.code))),
        "{messages:?}"
    );
    // Nothing twice, however long it runs.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!((mail.mails().len(), sms.requests().len()), (5, 6));
}
