//! Tests of the printable forms: a realistic dossier through every form and the register, the
//! escaping of applicant input, Vietnamese formatting in Asia/Ho_Chi_Minh, and overrides.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use eiso_proto::eiso::procedures::v1::{
    Applicant, Channel, CopyKind, Dossier, DossierStatus, Extension, Fee, Handover, Outcome, ProcedureStep,
    ProcedureVersion, ProcessingTime, ReceivedDocument, Supplement, processing_time::Budget,
};
use eiso_proto::labels::Label;
use unicode_normalization::{UnicodeNormalization, is_nfc};

use super::sample::{change, local, ts};
use super::view::DateView;
use super::*;

const AGENCY: &str = "Phòng Giáo dục và Đào tạo quận Hải An";
const CODE: &str = "000.32.27.H26-250305-0007";
const VERSION: &str = "procedures/2.002481/versions/3";

fn procedure() -> ProcedureVersion {
    ProcedureVersion {
        name: VERSION.into(),
        number: 3,
        display_name: "Chuyển trường đối với học sinh trung học cơ sở".into(),
        field: "Giáo dục trung học".into(),
        processing_time: Some(ProcessingTime {
            budget: Some(Budget::WorkingDays(3)),
        }),
        steps: vec![
            ProcedureStep {
                display_name: "Thẩm định hồ sơ".into(),
                handler: "Chuyên viên phòng GD&ĐT".into(),
                working_hours: 12,
            },
            ProcedureStep {
                display_name: "Phê duyệt, ký giấy giới thiệu".into(),
                handler: "Lãnh đạo phòng".into(),
                working_hours: 8,
            },
            ProcedureStep {
                display_name: "Vào sổ, đóng dấu, chuyển kết quả".into(),
                handler: "Văn thư".into(),
                working_hours: 4,
            },
        ],
        fees: vec![Fee {
            description: "Không thu phí".into(),
            amount_vnd: 0,
        }],
        legal_basis: vec!["Thông tư 50/2021/TT-BGDĐT".into()],
        ..Default::default()
    }
}

/// A dossier received on Wednesday 5 March 2025 at 14:30 in Hải Phòng (07:30 UTC), due three
/// working days later, handed over twice.
fn dossier() -> Dossier {
    Dossier {
        name: "dossiers/01JNQ4".into(),
        code: CODE.into(),
        procedure_version: VERSION.into(),
        agency: "units/hai-an-gddt".into(),
        applicant: Some(Applicant {
            full_name: "Nguyễn Thị Hồng Nhung".into(),
            id_number: "031190001234".into(),
            phone: "0912 345 678".into(),
            address: "Số 12, ngõ 34 đường Lê Hồng Phong, phường Đằng Hải, quận Hải An, thành phố Hải Phòng".into(),
            email: "hongnhung.nguyen@example.vn".into(),
            r#type: eiso_proto::eiso::procedures::v1::ApplicantType::Citizen as i32,
        }),
        summary: "Xin chuyển trường cho con Trần Minh Khôi, lớp 7A, từ THCS Đằng Hải về THCS Chu Văn An".into(),
        channel: Channel::Direct as i32,
        documents: vec![
            ReceivedDocument {
                display_name: "Đơn xin chuyển trường do cha mẹ học sinh ký".into(),
                copy_kind: CopyKind::Original as i32,
                sets: 1,
            },
            ReceivedDocument {
                display_name: "Học bạ".into(),
                copy_kind: CopyKind::Original as i32,
                sets: 1,
            },
            ReceivedDocument {
                display_name: "Giấy khai sinh".into(),
                copy_kind: CopyKind::CertifiedCopy as i32,
                sets: 1,
            },
            ReceivedDocument {
                display_name: "Giấy xác nhận cư trú".into(),
                copy_kind: CopyKind::Photocopy as i32,
                sets: 1,
            },
            ReceivedDocument {
                display_name: "Giấy giới thiệu chuyển trường của trường đang học".into(),
                copy_kind: CopyKind::OriginalOrCertified as i32,
                sets: 1,
            },
        ],
        status: DossierStatus::InProgress as i32,
        receive_time: ts(2025, 3, 5, 14, 30),
        due_time: ts(2025, 3, 10, 14, 30),
        appointment_time: ts(2025, 3, 10, 14, 30),
        current_step: 1,
        assignee: "users/tran-quoc-bao".into(),
        handovers: vec![
            Handover {
                step: 0,
                giver: "users/le-van-tam".into(),
                receiver: "users/pham-thu-ha".into(),
                handover_time: ts(2025, 3, 5, 15, 10),
                step_due_time: ts(2025, 3, 7, 10, 10),
                note: "Đủ thành phần hồ sơ".into(),
                ..Handover::default()
            },
            Handover {
                step: 1,
                giver: "users/pham-thu-ha".into(),
                receiver: "users/tran-quoc-bao".into(),
                handover_time: ts(2025, 3, 6, 16, 0),
                step_due_time: ts(2025, 3, 7, 16, 0),
                note: "Hồ sơ hợp lệ, đề nghị phê duyệt".into(),
                ..Handover::default()
            },
        ],
        history: vec![
            change(DossierStatus::Received, ts(2025, 3, 5, 14, 30), "users/le-van-tam", ""),
            change(
                DossierStatus::InProgress,
                ts(2025, 3, 5, 15, 10),
                "users/le-van-tam",
                "",
            ),
        ],
        ..Default::default()
    }
}

fn officers() -> BTreeMap<String, String> {
    [
        ("users/le-van-tam", "Lê Văn Tâm"),
        ("users/pham-thu-ha", "Phạm Thu Hà"),
        ("users/tran-quoc-bao", "Trần Quốc Bảo"),
        ("users/do-thi-lan", "Đỗ Thị Lan"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn context(dossier: Dossier) -> FormContext {
    FormContext {
        dossier,
        procedure: procedure(),
        agency_name: AGENCY.into(),
        agency_code: "000.32.27.H26".into(),
        place_name: "Hải An".into(),
        officer_names: officers(),
        unit_names: BTreeMap::new(),
        issue_time: local(2025, 3, 5, 14, 35),
        public_url: String::new(),
        rating_code: String::new(),
    }
}

/// The dossier after a supplement request (form 02).
fn with_supplement(mut d: Dossier) -> Dossier {
    d.status = DossierStatus::SupplementRequested as i32;
    d.supplements.push(Supplement {
        request_time: ts(2025, 3, 6, 9, 0),
        reason: "Giấy khai sinh là bản chụp không có chứng thực".into(),
        documents: vec!["Bản sao có chứng thực Giấy khai sinh".into(), "Ảnh 3x4 (02 ảnh)".into()],
        receive_time: None,
    });
    d.history.push(change(
        DossierStatus::SupplementRequested,
        ts(2025, 3, 6, 9, 0),
        "users/pham-thu-ha",
        "",
    ));
    d
}

/// The dossier after an extension (form 04).
fn with_extension(mut d: Dossier) -> Dossier {
    d.extension = Some(Extension {
        request_time: ts(2025, 3, 7, 10, 0),
        reason: "Cần xác minh thông tin học bạ với trường THCS Đằng Hải".into(),
        new_appointment_time: ts(2025, 3, 13, 9, 0),
    });
    d.appointment_time = ts(2025, 3, 13, 9, 0);
    d
}

/// A dossier refused at intake (form 03).
fn refused() -> Dossier {
    let mut d = dossier();
    d.status = DossierStatus::NotReceived as i32;
    d.handovers.clear();
    d.documents.clear();
    d.due_time = None;
    d.appointment_time = None;
    d.current_step = -1;
    d.history = vec![change(
        DossierStatus::NotReceived,
        ts(2025, 3, 5, 14, 30),
        "users/do-thi-lan",
        "Học sinh chưa hoàn thành chương trình lớp 7; thủ tục không thuộc thẩm quyền của Phòng",
    )];
    d
}

/// The dossier completed and returned.
fn completed(mut d: Dossier) -> Dossier {
    d.handovers.push(Handover {
        step: 2,
        giver: "users/tran-quoc-bao".into(),
        receiver: "users/do-thi-lan".into(),
        handover_time: ts(2025, 3, 7, 17, 0),
        step_due_time: ts(2025, 3, 10, 11, 0),
        note: "Đã ký".into(),
        ..Handover::default()
    });
    d.status = DossierStatus::Returned as i32;
    d.complete_time = ts(2025, 3, 10, 8, 0);
    d.return_time = ts(2025, 3, 10, 9, 15);
    d.result_summary = "Giấy giới thiệu chuyển trường số 15/GT-PGDĐT".into();
    // Completed on the due day, before the due time.
    d.outcome = Outcome::OnTime as i32;
    d
}

fn render_ok(form: Form, ctx: &FormContext) -> String {
    match render(&Templates::builtin(), form, ctx) {
        Ok(html) => html,
        Err(e) => panic!("form {form:?} does not render: {e}"),
    }
}

/// The text of the page without tags (and with entities of `&` decoded), whitespace collapsed,
/// to look for phrases that cross markup.
fn text(html: &str) -> String {
    let mut out = String::new();
    let mut tag: Option<String> = None;
    for c in html.chars() {
        match (&mut tag, c) {
            (None, '<') => tag = Some(String::new()),
            (Some(t), '>') => {
                // Inline elements do not separate words; the others do.
                let name: String = t
                    .trim_start_matches('/')
                    .chars()
                    .take_while(char::is_ascii_alphanumeric)
                    .collect();
                if !matches!(name.as_str(), "span" | "b" | "i" | "em" | "strong") {
                    out.push(' ');
                }
                tag = None;
            }
            (Some(t), c) => t.push(c),
            (None, c) => out.push(c),
        }
    }
    let out = out.replace("&amp;", "&").replace("&emsp;", " ").replace("&nbsp;", " ");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn assert_has(html: &str, needles: &[&str]) {
    let t = text(html);
    for n in needles {
        assert!(html.contains(n) || t.contains(n), "missing {n:?} in the page:\n{t}");
    }
}

fn assert_common(html: &str, number: &str, title: &str) {
    assert!(html.starts_with("<!DOCTYPE html>"), "starts with the doctype");
    assert_has(
        html,
        &[
            "<html lang=\"vi\">",
            "<meta charset=\"utf-8\">",
            "size: A5 portrait;",
            "margin: 12mm;",
            "\"Times New Roman\", Tinos, \"DejaVu Serif\", serif",
            "display: table-header-group",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            AGENCY,
            &format!("Mẫu số {number}"),
            title,
            // The issue date, in Hải Phòng.
            // The place name before the date (Nghị định 30/2020/NĐ-CP).
            "Hải An, ngày 05 tháng 3 năm 2025",
        ],
    );
    assert!(is_nfc(html), "the page is NFC");
}

#[test]
fn dates_are_vietnamese_in_ho_chi_minh_time() {
    // 07:30 UTC is 14:30 in Hải Phòng; 18:00 UTC on 4 March is 01:00 on 5 March there.
    let d = DateView::of(Some(
        Utc.with_ymd_and_hms(2025, 3, 5, 7, 30, 0).single().expect("valid"),
    ));
    assert_eq!(d.long, "ngày 05 tháng 3 năm 2025");
    assert_eq!(d.time, "14 giờ 30 phút, ngày 05/03/2025");
    assert_eq!(d.time_long, "14 giờ 30 phút, ngày 05 tháng 3 năm 2025");
    assert_eq!(d.short, "05/03/2025");
    assert_eq!(d.short_time, "14:30 05/03/2025");
    assert_eq!(d.iso, "2025-03-05T14:30:00+07:00");
    let night = DateView::of(Some(
        Utc.with_ymd_and_hms(2025, 3, 4, 18, 0, 0).single().expect("valid"),
    ));
    assert_eq!(night.time, "01 giờ 00 phút, ngày 05/03/2025");
    let none = DateView::of(None);
    assert!(!none.set && none.time.is_empty());
}

#[test]
fn labels_are_vietnamese() {
    assert_eq!(CopyKind::Original.label_vi(), "Bản chính");
    assert_eq!(CopyKind::CertifiedCopy.label_vi(), "Bản sao có chứng thực");
    assert_eq!(CopyKind::Photocopy.label_vi(), "Bản sao");
    assert_eq!(
        CopyKind::OriginalOrCertified.label_vi(),
        "Bản chính hoặc bản sao có chứng thực"
    );
    assert_eq!(Outcome::Early.label_vi(), "Trước hạn");
    assert_eq!(Outcome::OnTime.label_vi(), "Đúng hạn");
    assert_eq!(Outcome::Late.label_vi(), "Quá hạn");
    assert_eq!(DossierStatus::SupplementRequested.label_vi(), "Chờ bổ sung hồ sơ");
    assert_eq!(DossierStatus::Returned.label_vi(), "Đã trả kết quả");
}

#[test]
fn form_01_receipt_and_appointment() {
    let html = render_ok(Form::Receipt, &context(dossier()));
    assert_common(&html, "01", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ");
    assert_has(
        &html,
        &[
            CODE,
            "Tiếp nhận hồ sơ của: Nguyễn Thị Hồng Nhung Số định danh cá nhân: 031190001234",
            "Số điện thoại: 0912 345 678",
            "Số 12, ngõ 34 đường Lê Hồng Phong, phường Đằng Hải, quận Hải An, thành phố Hải Phòng",
            "Email: hongnhung.nguyen@example.vn",
            "Chuyển trường đối với học sinh trung học cơ sở (mã 2.002481)",
            "Nội dung yêu cầu giải quyết: Xin chuyển trường cho con Trần Minh Khôi",
            // The documents table.
            "<th>Tên giấy tờ</th><th>Hình thức</th><th>Số bản</th>",
            "1 Đơn xin chuyển trường do cha mẹ học sinh ký Bản chính 1",
            "2 Học bạ Bản chính 1",
            "3 Giấy khai sinh Bản sao có chứng thực 1",
            "4 Giấy xác nhận cư trú Bản sao 1",
            "5 Giấy giới thiệu chuyển trường của trường đang học Bản chính hoặc bản sao có chứng thực 1",
            "2. Số lượng hồ sơ: 01 bộ.",
            "3. Thời gian giải quyết hồ sơ theo quy định: 3 ngày làm việc.",
            // 07:30 UTC → 14:30 in Asia/Ho_Chi_Minh.
            "4. Thời gian nhận hồ sơ: 14 giờ 30 phút, ngày 05/03/2025.",
            "5. Thời gian trả kết quả giải quyết hồ sơ: 14 giờ 30 phút, ngày 10/03/2025.",
            "6. Đăng ký nhận kết quả tại: Phòng Giáo dục và Đào tạo quận Hải An.",
            "NGƯỜI NỘP HỒ SƠ (Ký và ghi rõ họ tên) Nguyễn Thị Hồng Nhung",
            "NGƯỜI TIẾP NHẬN HỒ SƠ (Ký và ghi rõ họ tên) Lê Văn Tâm",
        ],
    );
}

/// Reprinted while the applicant's supplement is awaited, the receipt gives
/// no stale appointment: a new one follows the supplement.
#[test]
fn a_receipt_reprinted_while_a_supplement_is_awaited_gives_no_stale_appointment() {
    let html = text(&render_ok(Form::Receipt, &context(with_supplement(dossier()))));
    assert!(
        html.contains("5. Thời gian trả kết quả giải quyết hồ sơ: hẹn lại khi nhận đủ hồ sơ bổ sung."),
        "{html}"
    );
    assert!(!html.contains("ngày 10/03/2025"), "{html}");
}

/// A business is addressed as a body, not as "Ông/Bà", and its identifier
/// is not a personal one.
#[test]
fn an_organisation_is_addressed_as_one() {
    let mut d = with_extension(dossier());
    if let Some(a) = d.applicant.as_mut() {
        a.full_name = "Công ty TNHH Sao Biển".into();
        a.id_number = "0201234567".into();
        a.r#type = eiso_proto::eiso::procedures::v1::ApplicantType::Business as i32;
    }
    let apology = text(&render_ok(Form::Apology, &context(d.clone())));
    assert!(apology.contains("Kính gửi: Công ty TNHH Sao Biển"), "{apology}");
    assert!(apology.contains("xin lỗi Quý cơ quan, tổ chức"), "{apology}");
    assert!(!apology.contains("Ông/Bà"), "{apology}");
    let mut ctx = context(d);
    ctx.rating_code = "K7PM3XQA".into();
    let receipt = text(&render_ok(Form::Receipt, &ctx));
    assert!(receipt.contains("Mã số doanh nghiệp, tổ chức: 0201234567"), "{receipt}");
    assert!(receipt.contains("quý cơ quan, tổ chức đánh giá"), "{receipt}");
    assert!(!receipt.to_lowercase().contains("ông/bà"), "{receipt}");
    // A person, as before.
    let apology = text(&render_ok(Form::Apology, &context(with_extension(dossier()))));
    assert!(apology.contains("Kính gửi: Ông/Bà Nguyễn Thị Hồng Nhung"), "{apology}");
}

/// Forms that make no sense for the dossier as it stands are named with the reason.
#[test]
fn only_the_forms_that_apply_to_a_dossier_are_printed() {
    let applies = |form: Form, d: &Dossier| super::does_not_apply(form, d).is_none();
    let received = dossier();
    assert!(applies(Form::Receipt, &received) && applies(Form::ControlSlip, &received));
    assert!(!applies(Form::SupplementRequest, &received) && !applies(Form::Apology, &received));
    assert!(!applies(Form::Refusal, &received) && !applies(Form::Register, &received));
    assert!(applies(Form::SupplementRequest, &with_supplement(dossier())));
    assert!(applies(Form::Apology, &with_extension(dossier())));
    let refused = refused();
    assert!(applies(Form::Refusal, &refused));
    assert_eq!(
        super::does_not_apply(Form::Receipt, &refused),
        Some("the dossier was refused at intake: it has no receipt or control slip, only the refusal (form 03)")
    );
}

#[test]
fn the_receipt_leads_to_the_lookup_page_by_qr_code_only_when_the_address_is_known() {
    let without = render_ok(Form::Receipt, &context(dossier()));
    assert!(!without.contains("<svg") && !without.contains("tra-cuu"));
    let mut ctx = context(dossier());
    ctx.public_url = "https://motcua.haian.gov.vn/".into();
    let with = render_ok(Form::Receipt, &ctx);
    assert!(
        with.contains(&format!("https://motcua.haian.gov.vn/tra-cuu?ma={CODE}")),
        "{with}"
    );
    assert_eq!(with.matches("<svg").count(), 1, "one QR code");
    assert!(!with.contains("<?xml"), "an element, not a document, inside the page");
    assert!(!with.contains("mã đánh giá"), "no rating code, no rating line");
    // With a rating code, the receipt says where and how to rate, once.
    ctx.rating_code = "K7PM3XQA".into();
    let rated = render_ok(Form::Receipt, &ctx);
    assert!(
        rated.contains("mã đánh giá <span class=\"strong keep\">K7PM-3XQA</span> (dùng một lần)"),
        "{rated}"
    );
    let mut ctx = context(dossier());
    ctx.rating_code = "K7PM3XQA".into();
    let no_address = render_ok(Form::Receipt, &ctx);
    assert!(
        no_address.contains("K7PM-3XQA") && !no_address.contains("<svg"),
        "the code needs no address"
    );
    // The other forms print no QR code.
    let supplement = render_ok(Form::SupplementRequest, &{
        let mut ctx = context(with_supplement(dossier()));
        ctx.public_url = "https://motcua.haian.gov.vn".into();
        ctx
    });
    assert!(!supplement.contains("<svg"));
}

#[test]
fn form_02_supplement_request() {
    let html = render_ok(Form::SupplementRequest, &context(with_supplement(dossier())));
    assert_common(&html, "02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ");
    assert_has(
        &html,
        &[
            CODE,
            "Hồ sơ của: Nguyễn Thị Hồng Nhung",
            "Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:",
            "1 Bản sao có chứng thực Giấy khai sinh",
            "2 Ảnh 3x4 (02 ảnh)",
            "Lý do: Giấy khai sinh là bản chụp không có chứng thực",
            "liên hệ với Phạm Thu Hà",
            "NGƯỜI HƯỚNG DẪN (Ký và ghi rõ họ tên) Phạm Thu Hà",
        ],
    );
}

#[test]
fn form_03_refusal() {
    let html = render_ok(Form::Refusal, &context(refused()));
    assert_common(&html, "03", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ");
    assert_has(
        &html,
        &[
            "Tiếp nhận hồ sơ của: Nguyễn Thị Hồng Nhung",
            "Thủ tục hành chính: Chuyển trường đối với học sinh trung học cơ sở",
            "thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:",
            "Học sinh chưa hoàn thành chương trình lớp 7; thủ tục không thuộc thẩm quyền của Phòng",
            "NGƯỜI TIẾP NHẬN HỒ SƠ (Ký và ghi rõ họ tên) Đỗ Thị Lan",
        ],
    );
}

#[test]
fn form_04_apology_and_new_appointment() {
    let html = render_ok(Form::Apology, &context(with_extension(dossier())));
    assert_common(&html, "04", "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ");
    assert_has(
        &html,
        &[
            "Kính gửi: Ông/Bà Nguyễn Thị Hồng Nhung",
            "Vào ngày 05 tháng 3 năm 2025, Phòng Giáo dục và Đào tạo quận Hải An đã tiếp nhận hồ sơ",
            &format!("mã hồ sơ {CODE}"),
            "Thời gian hẹn trả kết quả giải quyết hồ sơ: 14 giờ 30 phút, ngày 10/03/2025.",
            "lý do: Cần xác minh thông tin học bạ với trường THCS Đằng Hải",
            "Sự chậm trễ này đã gây phiền hà cho Ông/Bà.",
            "xin lỗi Ông/Bà và sẽ trả kết quả giải quyết hồ sơ cho Ông/Bà vào 09 giờ 00 phút, ngày 13/03/2025.",
            "THỦ TRƯỞNG CƠ QUAN (Ký, ghi rõ họ tên và đóng dấu)",
        ],
    );
}

#[test]
fn form_05_control_slip_in_progress() {
    let html = render_ok(Form::ControlSlip, &context(dossier()));
    assert_common(&html, "05", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ");
    assert_has(
        &html,
        &[
            CODE,
            "Thủ tục hành chính: Chuyển trường đối với học sinh trung học cơ sở (thời hạn giải quyết 3 ngày làm việc)",
            "Thời gian nhận hồ sơ: 14 giờ 30 phút, ngày 05/03/2025",
            "Thời gian hẹn trả kết quả: 14 giờ 30 phút, ngày 10/03/2025",
            // One row per hand-over, in local time, with room for the giver's and the
            // receiver's signatures above their names.
            "1 Thẩm định hồ sơ Chuyên viên phòng GD&ĐT Định mức: 12 giờ Giao: 15:10 05/03/2025; \
             nhận: 15:10 05/03/2025 Hạn xử lý: 10:10 07/03/2025 Người giao (ký) Lê Văn Tâm \
             Người nhận (ký) Phạm Thu Hà Đủ thành phần hồ sơ",
            // The second hand-over is a day before the first step's due date: early.
            "2 Phê duyệt, ký giấy giới thiệu Lãnh đạo phòng Định mức: 8 giờ Giao: 16:00 06/03/2025; \
             nhận: 16:00 06/03/2025 Hạn xử lý: 16:00 07/03/2025 Người giao (ký) Phạm Thu Hà \
             Người nhận (ký) Trần Quốc Bảo Trước hạn Hồ sơ hợp lệ, đề nghị phê duyệt",
            // The step to come is a blank row.
            "3 Vào sổ, đóng dấu, chuyển kết quả Văn thư Định mức: 4 giờ Giao: ..... giờ",
        ],
    );
}

#[test]
fn form_05_control_slip_completed() {
    let html = render_ok(Form::ControlSlip, &context(completed(dossier())));
    assert_has(
        &html,
        &[
            // Handed on at 17:00 on 7 March, after the step due at 16:00 that day: late.
            "Giao: 17:00 07/03/2025; nhận: 17:00 07/03/2025 Hạn xử lý: 11:00 10/03/2025 \
             Người giao (ký) Trần Quốc Bảo Người nhận (ký) Đỗ Thị Lan Quá hạn Đã ký",
            "4 Trả kết quả về bộ phận tiếp nhận",
            "Giấy giới thiệu chuyển trường số 15/GT-PGDĐT",
            "Kết quả giải quyết hồ sơ: Đúng hạn (hoàn thành 08 giờ 00 phút, ngày 10/03/2025).",
        ],
    );
    assert!(!html.contains("Giao: ..... giờ"), "no blank rows once completed");
}

/// [`dossier`] as received now: its intake (step 0, the counter's) recorded at receipt by
/// Lê Văn Tâm for the counter, then handed to step 1 at 16:00.
fn with_intake(mut d: Dossier) -> Dossier {
    d.handovers = vec![
        Handover {
            step: 0,
            giver: "users/le-van-tam".into(),
            receiver: "users/le-van-tam".into(),
            handover_time: ts(2025, 3, 5, 14, 30),
            step_due_time: ts(2025, 3, 6, 8, 30),
            note: String::new(),
            intake: true,
            giver_unit: "units/mot-cua".into(),
        },
        Handover {
            step: 1,
            giver: "users/le-van-tam".into(),
            receiver: "users/pham-thu-ha".into(),
            handover_time: ts(2025, 3, 5, 16, 0),
            step_due_time: ts(2025, 3, 7, 16, 0),
            note: "Đủ thành phần hồ sơ".into(),
            intake: false,
            giver_unit: "units/mot-cua".into(),
        },
    ];
    d.current_step = 1;
    d.assignee = "users/pham-thu-ha".into();
    d
}

/// [`procedure`] with the counter's intake as its first step (and 4 hours less to examine).
fn procedure_with_intake() -> ProcedureVersion {
    let mut with_intake_step = procedure();
    with_intake_step.steps[0].working_hours = 8;
    with_intake_step.steps.insert(
        0,
        ProcedureStep {
            display_name: "Tiếp nhận hồ sơ".into(),
            handler: "Bộ phận một cửa".into(),
            working_hours: 4,
        },
    );
    with_intake_step
}

fn with_counter(mut ctx: FormContext) -> FormContext {
    ctx.unit_names = [("units/mot-cua".to_string(), "Bộ phận Một cửa".to_string())]
        .into_iter()
        .collect();
    ctx
}

#[test]
fn form_05_control_slip_starts_with_the_intake_at_the_counter() {
    // A procedure whose first step is the counter's intake.
    let ctx = with_counter(FormContext {
        procedure: procedure_with_intake(),
        ..context(with_intake(dossier()))
    });
    let html = render_ok(Form::ControlSlip, &ctx);
    assert_has(
        &html,
        &[
            // Step 1 is the intake: received at 14:30 by the clerk, for the counter, with no
            // timeliness of its own yet.
            "1 Tiếp nhận hồ sơ Bộ phận một cửa Định mức: 4 giờ Tiếp nhận: 14:30 05/03/2025 \
             Hạn xử lý: 08:30 06/03/2025 Người tiếp nhận (ký) Lê Văn Tâm (Bộ phận Một cửa) 2",
            // The first hand-over, to step 2, the day before the intake was due: early.
            "2 Thẩm định hồ sơ Chuyên viên phòng GD&ĐT Định mức: 8 giờ Giao: 16:00 05/03/2025; \
             nhận: 16:00 05/03/2025 Hạn xử lý: 16:00 07/03/2025 Người giao (ký) Lê Văn Tâm \
             Người nhận (ký) Phạm Thu Hà Trước hạn Đủ thành phần hồ sơ",
            "3 Phê duyệt, ký giấy giới thiệu Lãnh đạo phòng Định mức: 8 giờ Giao: ..... giờ",
        ],
    );

    // A procedure without steps: the intake is still the counter's first row.
    let bare = with_counter(FormContext {
        procedure: ProcedureVersion {
            steps: Vec::new(),
            ..procedure()
        },
        ..context(with_intake(dossier()))
    });
    let html = render_ok(Form::ControlSlip, &bare);
    assert_has(
        &html,
        &["1 Tiếp nhận hồ sơ Bộ phận Một cửa Tiếp nhận: 14:30 05/03/2025 Hạn xử lý"],
    );
    assert_has(&html, &["Người tiếp nhận (ký) Lê Văn Tâm"]);
    assert!(
        !html.contains("Người tiếp nhận (ký)</div><div class=\"room\"></div><div>Lê Văn Tâm ("),
        "the clerk's unit is the step's own: not said twice"
    );
    assert_has(&html, &["Tiếp nhận: 14:30 05/03/2025"]);
    // Right after receipt the receipt names the clerk, and the current step is the intake.
    let mut received = with_intake(dossier());
    received.handovers.truncate(1);
    received.current_step = 0;
    received.assignee = "users/le-van-tam".into();
    let view = super::view::form_view(
        Form::ControlSlip,
        &FormContext {
            dossier: received,
            ..bare
        },
    );
    assert_eq!(view.dossier.current_step, "Tiếp nhận hồ sơ");
    assert_eq!(view.dossier.receiving_officer, "Lê Văn Tâm");
    assert!(view.handovers[0].intake && view.handovers[0].result.is_empty());
    assert_eq!(view.handovers[0].giver_unit, "Bộ phận Một cửa");
}

#[test]
fn register_06() {
    let mut second = completed(dossier());
    second.code = "000.32.27.H26-250306-0001".into();
    second.receive_time = ts(2025, 3, 6, 8, 5);
    second.applicant = Some(Applicant {
        full_name: "Công ty TNHH Giáo dục Ánh Dương".into(),
        address: "Số 5 Lạch Tray, phường Lạch Tray, quận Ngô Quyền".into(),
        phone: "0225 3 123 456".into(),
        ..Default::default()
    });
    let ctx = RegisterContext {
        agency_name: AGENCY.into(),
        year: 2025,
        dossiers: vec![with_extension(dossier()), second],
        procedures: [(
            VERSION.to_string(),
            "Chuyển trường đối với học sinh trung học cơ sở".to_string(),
        )]
        .into_iter()
        .collect(),
        officer_names: officers(),
    };
    let html = match render_register(&Templates::builtin(), &ctx) {
        Ok(html) => html,
        Err(e) => panic!("the register does not render: {e}"),
    };
    assert_has(
        &html,
        &[
            "size: A4 landscape;",
            "counter(pages)",
            "display: table-header-group",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Mẫu số 06",
            "SỔ THEO DÕI HỒ SƠ",
            "Năm 2025",
            "STT Mã hồ sơ Trích yếu (thủ tục hành chính) Số bộ Chủ hồ sơ Địa chỉ, số điện thoại Ngày nhận \
             Ngày hẹn trả Ngày trả kết quả Cán bộ tiếp nhận Ghi chú",
            &format!(
                "1 {CODE} Xin chuyển trường cho con Trần Minh Khôi, lớp 7A, từ THCS Đằng Hải về THCS Chu Văn An \
                 Chuyển trường đối với học sinh trung học cơ sở 1 Nguyễn Thị Hồng Nhung"
            ),
            "thành phố Hải Phòng ĐT: 0912 345 678 05/03/2025 14:30 10/03/2025 14:30 hẹn lại 13/03/2025 Lê Văn Tâm \
             Đang giải quyết",
            "2 000.32.27.H26-250306-0001",
            "Công ty TNHH Giáo dục Ánh Dương",
            "06/03/2025 08:05 10/03/2025 14:30 10/03/2025 09:15 Lê Văn Tâm Đúng hạn",
            "Tổng số hồ sơ: 2.",
        ],
    );
    assert!(!html.contains("size: A5"), "the register is A4");
    assert!(is_nfc(&html));
}

#[test]
fn applicant_input_is_escaped() {
    let mut d = dossier();
    if let Some(a) = d.applicant.as_mut() {
        a.full_name = "<script>alert('x')</script> Nguyễn & Con".into();
        a.address = "\"><img src=x onerror=alert(1)>".into();
    }
    d.summary = "{{ 7*7 }} {% raw %}".into();
    let ctx = context(d.clone());
    for form in FORMS {
        let html = render_ok(form, &ctx);
        assert!(!html.contains("<script>"), "{form:?}: a script tag from the input");
        assert!(!html.contains("<img"), "{form:?}: an img tag from the input");
        assert!(
            html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Nguyễn &amp; Con"),
            "{form:?}"
        );
        if form != Form::ControlSlip {
            assert!(
                html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"),
                "{form:?}"
            );
        }
    }
    // Input is data, never template code.
    let html = render_ok(Form::Receipt, &ctx);
    assert!(html.contains("{{ 7*7 }} {% raw %}"));
    let register = RegisterContext {
        agency_name: AGENCY.into(),
        year: 2025,
        dossiers: vec![d],
        ..Default::default()
    };
    let html = render_register(&Templates::builtin(), &register).expect("renders");
    assert!(!html.contains("<script>") && html.contains("&lt;script&gt;"));
}

#[test]
fn decomposed_input_is_printed_in_nfc() {
    let mut d = dossier();
    let decomposed: String = "Nguyễn Thị Hồng Nhung".nfd().collect();
    assert_ne!(decomposed, "Nguyễn Thị Hồng Nhung");
    if let Some(a) = d.applicant.as_mut() {
        a.full_name = decomposed;
    }
    let html = render_ok(Form::Receipt, &context(d));
    assert!(html.contains("Nguyễn Thị Hồng Nhung"));
    assert!(is_nfc(&html));
}

#[test]
fn a_sparse_dossier_renders_with_blanks() {
    // Only what a counter may know: no documents, no officer names, no contact data.
    let d = Dossier {
        code: CODE.into(),
        applicant: Some(Applicant {
            full_name: "Vũ Đức Anh".into(),
            ..Default::default()
        }),
        receive_time: ts(2025, 3, 5, 8, 0),
        ..Default::default()
    };
    let ctx = FormContext {
        dossier: d,
        ..Default::default()
    };
    for form in FORMS {
        let html = render_ok(form, &ctx);
        assert!(html.contains("Vũ Đức Anh"), "{form:?}");
        assert!(html.contains("class=\"fill"), "{form:?}: blanks to fill in by hand");
    }
    let html = render_register(&Templates::builtin(), &RegisterContext::default()).expect("renders");
    assert!(html.contains("Chưa có hồ sơ."));
}

#[test]
fn the_register_is_not_a_dossier_form() {
    let ctx = context(dossier());
    assert_eq!(
        render(&Templates::builtin(), Form::Register, &ctx),
        Err(FormError::NotADossierForm(6))
    );
    assert_eq!(
        render(&Templates::builtin(), Form::Unspecified, &ctx),
        Err(FormError::NotADossierForm(0))
    );
}

#[test]
fn file_names() {
    assert_eq!(file_name(Form::Receipt, CODE), format!("phieu-tiep-nhan-{CODE}.html"));
    assert_eq!(
        file_name(Form::SupplementRequest, "X-1"),
        "phieu-yeu-cau-bo-sung-X-1.html"
    );
    assert_eq!(file_name(Form::Refusal, "X-1"), "phieu-tu-choi-X-1.html");
    assert_eq!(file_name(Form::Apology, "X-1"), "phieu-xin-loi-X-1.html");
    assert_eq!(file_name(Form::ControlSlip, "X-1"), "phieu-kiem-soat-X-1.html");
    assert_eq!(
        file_name(Form::Register, "000.32.27.H26-2025"),
        "so-theo-doi-ho-so-000.32.27.H26-2025.html"
    );
    // Nothing that climbs out of a directory or breaks a header.
    assert_eq!(
        file_name(Form::Receipt, "../../etc/passwd"),
        "phieu-tiep-nhan-etc-passwd.html"
    );
    assert_eq!(file_name(Form::Receipt, "a\"b\r\nc"), "phieu-tiep-nhan-a-b--c.html");
    assert_eq!(file_name(Form::Receipt, ""), "phieu-tiep-nhan.html");
}

#[test]
fn contexts_do_not_debug_print_personal_data() {
    let ctx = context(dossier());
    let debug = format!("{ctx:?}");
    assert!(debug.contains(CODE));
    for secret in [
        "Nguyễn Thị Hồng Nhung",
        "031190001234",
        "0912 345 678",
        "Lê Hồng Phong",
        "hongnhung",
    ] {
        assert!(!debug.contains(secret), "{secret} in {debug}");
    }
    let register = RegisterContext {
        dossiers: vec![dossier()],
        ..Default::default()
    };
    assert!(!format!("{register:?}").contains("Nguyễn"));
}

#[test]
fn builtin_templates_are_nfc_and_compile() {
    for (name, source) in BUILTIN {
        assert!(is_nfc(source), "{name} is not NFC");
    }
    Templates::builtin()
        .check()
        .expect("the built-in templates render the sample data");
}

/// A fresh empty directory under the system's temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let nanos = Utc::now().timestamp_nanos_opt().unwrap_or_default();
        let dir = std::env::temp_dir().join(format!("eiso-forms-{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create a temporary directory");
        Self(dir)
    }

    fn write(&self, name: &str, content: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, content).expect("write a template");
        path
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn an_override_replaces_one_form_and_keeps_the_others() {
    let dir = TempDir::new("override");
    let path = dir.write(
        "form-01.html",
        "{% extends \"base.html\" %}{% block content %}<p>Trung tâm Phục vụ hành chính công: \
         {{ applicant.full_name }} – hẹn {{ dossier.appointment.time }}</p>{% endblock %}",
    );
    dir.write("unrelated.txt", "{% not a template");
    let templates = Templates::with_overrides(dir.path()).expect("the override loads");
    assert_eq!(templates.override_path("form-01.html"), Some(path.as_path()));
    assert_eq!(templates.override_path("form-02.html"), None);

    let html = render(&templates, Form::Receipt, &context(dossier())).expect("renders");
    assert!(
        html.contains("Trung tâm Phục vụ hành chính công: Nguyễn Thị Hồng Nhung – hẹn 14 giờ 30 phút, ngày 10/03/2025")
    );
    let ctx = context(with_supplement(dossier()));
    assert!(
        !html.contains("1. Thành phần hồ sơ nộp gồm"),
        "the built-in body is replaced"
    );
    assert!(
        html.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        "the built-in layout is kept"
    );
    // Another form keeps its built-in template.
    let html = render(&templates, Form::SupplementRequest, &ctx).expect("renders");
    assert!(html.contains("Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:"));
    // Autoescape applies to overrides too.
    let mut d = dossier();
    if let Some(a) = d.applicant.as_mut() {
        a.full_name = "<b>X</b>".into();
    }
    let html = render(&templates, Form::Receipt, &context(d)).expect("renders");
    assert!(html.contains("&lt;b&gt;X&lt;/b&gt;"));
}

#[test]
fn an_override_of_the_layout_applies_to_every_form() {
    let dir = TempDir::new("layout");
    dir.write(
        "base.html",
        "<!DOCTYPE html><html><body><header>{{ agency.name }} – Mẫu số {{ form.number }}</header>\
         {% block content %}{% endblock %}</body></html>",
    );
    let templates = Templates::with_overrides(dir.path()).expect("the override loads");
    let ctx = context(with_extension(with_supplement(dossier())));
    for (form, number) in [(Form::Receipt, "01"), (Form::ControlSlip, "05")] {
        let html = render(&templates, form, &ctx).expect("renders");
        assert!(html.contains(&format!("<header>{AGENCY} – Mẫu số {number}</header>")));
    }
}

#[test]
fn an_override_with_a_syntax_error_names_the_file_and_line() {
    let dir = TempDir::new("syntax");
    let path = dir.write(
        "form-03.html",
        "{% extends \"base.html\" %}\n{% block content %}\n<p>{{ applicant.full_name </p>\n{% endblock %}\n",
    );
    let err = Templates::with_overrides(dir.path()).expect_err("a broken template is an error");
    match &err {
        FormError::Template { file, line, .. } => {
            assert_eq!(file, &path.display().to_string());
            assert_eq!(*line, Some(3));
        }
        other => panic!("unexpected error {other:?}"),
    }
    let message = err.to_string();
    assert!(
        message.contains("form-03.html") && message.contains("line 3"),
        "{message}"
    );
}

#[test]
fn an_override_with_an_unknown_variable_or_filter_is_an_error_when_loaded() {
    let dir = TempDir::new("unknown");
    let path = dir.write(
        "form-02.html",
        "{% extends \"base.html\" %}\n{% block content %}\n\n<p>{{ applicant.fax }}</p>\n{% endblock %}\n",
    );
    let err = Templates::with_overrides(dir.path()).expect_err("an unknown variable is an error");
    assert!(
        matches!(&err, FormError::Template { file, line: Some(4), .. } if file == &path.display().to_string()),
        "{err:?}"
    );
    // The message tells what is wrong but carries no data value (the sample's name).
    assert!(!err.to_string().contains("Người Mẫu"), "{err}");

    let dir = TempDir::new("filter");
    let path = dir.write("form-06.html", "<p>{{ year | no_such_filter }}</p>");
    let err = Templates::with_overrides(dir.path()).expect_err("an unknown filter is an error");
    assert!(
        matches!(&err, FormError::Template { file, line: Some(1), .. } if file == &path.display().to_string()),
        "{err:?}"
    );
}

#[test]
fn an_override_directory_that_does_not_exist_is_an_error() {
    let dir = TempDir::new("missing");
    let missing = dir.path().join("nope");
    assert!(matches!(Templates::with_overrides(&missing), Err(FormError::Io { path, .. }) if path == missing));
    // An empty directory keeps every built-in template.
    let templates = Templates::with_overrides(dir.path()).expect("an empty directory is fine");
    let html = render(&templates, Form::Receipt, &context(dossier())).expect("renders");
    assert_eq!(html, render_ok(Form::Receipt, &context(dossier())));
}

/// Writes every form of the realistic dossier to `$EISO_FORMS_PREVIEW_DIR` for `preview.sh`
/// (a development tool: print them with Chromium and look at them).
#[test]
#[ignore = "development tool: writes the rendered forms for preview.sh"]
fn write_preview() {
    let Some(dir) = std::env::var_os("EISO_FORMS_PREVIEW_DIR") else {
        panic!("set EISO_FORMS_PREVIEW_DIR");
    };
    let dir = PathBuf::from(dir);
    std::fs::create_dir_all(&dir).expect("create the preview directory");
    let templates = Templates::builtin();
    let full = context(completed(with_extension(with_supplement(dossier()))));
    let cases = [
        (Form::Receipt, context(dossier())),
        (Form::SupplementRequest, context(with_supplement(dossier()))),
        (Form::Refusal, context(refused())),
        (Form::Apology, context(with_extension(dossier()))),
        (Form::ControlSlip, full.clone()),
    ];
    for (form, ctx) in cases {
        let html = render(&templates, form, &ctx).expect("renders");
        std::fs::write(dir.join(file_name(form, CODE)), html).expect("write");
    }
    // The control slip of a dossier received with its intake recorded.
    let intake = with_counter(FormContext {
        procedure: procedure_with_intake(),
        ..context(with_intake(dossier()))
    });
    let html = render(&templates, Form::ControlSlip, &intake).expect("renders");
    std::fs::write(dir.join(file_name(Form::ControlSlip, "tiep-nhan")), html).expect("write");
    // A long receipt: many documents, long unbroken input; nothing may be cut off.
    let mut long = dossier();
    for i in 0..12 {
        long.documents.push(ReceivedDocument {
            display_name: format!("Giấy tờ bổ sung số {} kèm theo hồ sơ chuyển trường của học sinh", i + 1),
            copy_kind: CopyKind::OriginalOrCertified as i32,
            sets: 2,
        });
    }
    if let Some(a) = long.applicant.as_mut() {
        a.email = "mot.dia.chi.thu.dien.tu.rat.rat.dai.khong.co.khoang.trang.nao.ca.va.con.dai.hon.mot.dong@truong-thcs-dang-hai.edu.vn".into();
        a.full_name = "Tôn Nữ Thị Phương Thảo Nguyễn Hoàng Bảo Ngọc Khánh Linh".into();
    }
    let html = render(&templates, Form::Receipt, &context(long)).expect("renders");
    std::fs::write(dir.join(file_name(Form::Receipt, "dai")), html).expect("write");
    // What a counter knows before anything is filled in: blanks to write on by hand.
    let sparse = Dossier {
        code: CODE.into(),
        applicant: Some(Applicant {
            full_name: "Vũ Đức Anh".into(),
            ..Default::default()
        }),
        receive_time: ts(2025, 3, 5, 8, 0),
        ..Default::default()
    };
    let html = render(
        &templates,
        Form::Receipt,
        &FormContext {
            dossier: sparse,
            ..context(Dossier::default())
        },
    )
    .expect("renders");
    std::fs::write(dir.join(file_name(Form::Receipt, "trong")), html).expect("write");
    // The register of a busy year: enough rows for several A4 pages.
    let mut dossiers = Vec::new();
    for i in 0..60u32 {
        let mut d = if i % 3 == 0 {
            completed(dossier())
        } else {
            with_extension(dossier())
        };
        let day = 3 + i / 8;
        d.code = format!("000.32.27.H26-2503{day:02}-{:04}", i % 8 + 1);
        d.receive_time = ts(2025, 3, day, 8 + i % 8, 5);
        dossiers.push(d);
    }
    let register = RegisterContext {
        agency_name: AGENCY.into(),
        year: 2025,
        dossiers,
        procedures: [(
            VERSION.to_string(),
            "Chuyển trường đối với học sinh trung học cơ sở".to_string(),
        )]
        .into_iter()
        .collect(),
        officer_names: officers(),
    };
    let html = render_register(&templates, &register).expect("renders");
    std::fs::write(dir.join(file_name(Form::Register, "000.32.27.H26-2025")), html).expect("write");
}
