//! Auditor independence as ISO 19011 §4 puts it: an auditor may not audit
//! their own work. A one-unit office audits itself: its trained staff audit
//! its one-stop process, but not the procedure they wrote or approved, nor the
//! register they filed, and its leader, who answers for its processes, does
//! not audit them at all.

use eiso_proto::eiso::documents::v1 as docs;
use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::quality::v1::*;
use eiso_tests::TestServer;
use eiso_tests::documents::{PDF, create, file_record, kept_record, procedure, upload};
use eiso_tests::values::{bad_field, date, mask};
use tonic::Code;
use tonic_types::StatusExt;

/// Asserts an AUDITOR_NOT_INDEPENDENT refusal of `auditor` whose message
/// says what they did (`did`) and quotes the rule.
fn refused_as_own_work(status: &tonic::Status, auditor: &str, did: &str) {
    assert_eq!(status.code(), Code::FailedPrecondition, "{status:?}");
    let details = status.get_error_details();
    let violation = &details.precondition_failure().unwrap().violations[0];
    assert_eq!(violation.r#type, "AUDITOR_NOT_INDEPENDENT");
    assert_eq!(violation.subject, auditor);
    let message = status.message();
    assert!(message.starts_with(auditor), "{message}");
    assert!(message.contains(did), "{message}");
    assert!(
        message.contains("an auditor may not audit their own work (ISO 19011 §4 / ISO 9001 §9.2.2 c)"),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_office_audits_itself_but_no_auditor_audits_their_own_work() {
    let server = TestServer::start().await;
    let root = server.root_unit().await;
    // One office, no units below it: the counter is its own staff.
    let office = server.create_unit("PGD", "Phòng Giáo dục và Đào tạo", &root.name).await;
    let other = server
        .create_unit("PVH", "Phòng Văn hóa và Thông tin", &root.name)
        .await;
    let at_office = |role: Role| (role, office.name.as_str());
    // Trained internal auditors, each with their everyday role.
    let (head, head_token) = server
        .user_with_bindings(
            "truong.phong",
            &[at_office(Role::Leader), at_office(Role::InternalAuditor)],
        )
        .await;
    let (author, author_token) = server
        .user_with_bindings(
            "thu.ky",
            &[at_office(Role::DocumentController), at_office(Role::InternalAuditor)],
        )
        .await;
    let (approver, approver_token) = server
        .user_with_bindings(
            "chuyen.vien",
            &[at_office(Role::ProcessingOfficer), at_office(Role::InternalAuditor)],
        )
        .await;
    let (filer, filer_token) = server
        .user_with_bindings(
            "mot.cua.1",
            &[at_office(Role::CounterStaff), at_office(Role::InternalAuditor)],
        )
        .await;
    let (staff, _) = server
        .user_with_bindings(
            "mot.cua.2",
            &[at_office(Role::CounterStaff), at_office(Role::InternalAuditor)],
        )
        .await;
    let (_, other_controller) = server
        .user_with_role("thu.ky.pvh", Role::DocumentController, &other.name)
        .await;

    // The one-stop procedure: written by the secretary, approved by the
    // officer, published. The counter's register, filed by one of its staff.
    let mut documents = server.documents(&author_token);
    let procedure_document = documents
        .create_document(create(procedure(
            "QT-TTHC-01",
            "Quy trình tiếp nhận và trả kết quả hồ sơ tại Bộ phận Một cửa",
            &office.name,
            docs::Confidentiality::Internal,
        )))
        .await
        .unwrap()
        .into_inner();
    let revision = documents
        .create_revision(docs::CreateRevisionRequest {
            parent: procedure_document.name.clone(),
            revision: Some(docs::Revision {
                change_summary: "Ban hành lần đầu".into(),
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    upload(&mut documents, &revision.name, "QT-TTHC-01.pdf", PDF, b"quy trinh")
        .await
        .unwrap();
    eiso_tests::documents::publish_reviewed(
        &mut documents,
        &mut server.documents(&approver_token),
        &revision.name,
        &approver.name,
    )
    .await;
    let register = file_record(
        &mut server.documents(&filer_token),
        kept_record("Sổ theo dõi hồ sơ năm 2024", &office.name),
    )
    .await;
    let elsewhere = server
        .documents(&other_controller)
        .create_document(create(procedure(
            "QT-VH-01",
            "Quy trình cấp giấy phép",
            &other.name,
            docs::Confidentiality::Internal,
        )))
        .await
        .unwrap()
        .into_inner();

    let mut planner = server.quality(&head_token);
    let programme = planner
        .create_audit_programme(eiso_tests::quality::audit_programme_2024(&office.name))
        .await
        .unwrap()
        .into_inner();
    let audit = |auditors: &[&str], subjects: &[&str]| CreateAuditRequest {
        audit: Some(Audit {
            programme: programme.name.clone(),
            title: "Đánh giá nội bộ quy trình một cửa".into(),
            scope: "Tiếp nhận và trả kết quả hồ sơ tại Bộ phận Một cửa".into(),
            criteria: vec!["8.5.1".into(), "7.5.3".into()],
            auditees: vec![office.name.clone()],
            auditors: auditors.iter().map(|a| a.to_string()).collect(),
            subjects: subjects.iter().map(|s| s.to_string()).collect(),
            start_date: date(2024, 6, 3),
            end_date: date(2024, 6, 4),
            ..Default::default()
        }),
        request_id: String::new(),
    };
    let subjects = [procedure_document.name.as_str(), register.name.as_str()];

    // A staff member of the office, who neither wrote, approved nor filed
    // what is examined, audits the one-stop process.
    let planned = planner
        .create_audit(audit(&[&staff.name], &subjects))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(planned.subjects, subjects);
    assert_eq!(planned.auditees, [office.name.as_str()]);

    // The procedure's author, its approver, the register's filer and the
    // office's leader are refused, each with what makes it their own work.
    let status = planner
        .create_audit(audit(&[&staff.name, &author.name], &subjects))
        .await
        .unwrap_err();
    refused_as_own_work(
        &status,
        &author.name,
        &format!("authored revision 1 of {}", procedure_document.name),
    );
    let status = planner
        .create_audit(audit(&[&approver.name], &subjects))
        .await
        .unwrap_err();
    refused_as_own_work(
        &status,
        &approver.name,
        &format!(
            "approved revision 1 of {}, its effective revision",
            procedure_document.name
        ),
    );
    let status = planner
        .create_audit(audit(&[&filer.name], &subjects))
        .await
        .unwrap_err();
    refused_as_own_work(&status, &filer.name, &format!("filed {}", register.name));
    let status = planner.create_audit(audit(&[&head.name], &[])).await.unwrap_err();
    refused_as_own_work(
        &status,
        &head.name,
        &format!("is a leader of {}, an auditee of this audit", office.name),
    );
    // The approver audits the register, which is not their work.
    planner
        .create_audit(audit(&[&approver.name], &[&register.name]))
        .await
        .unwrap();

    // Subjects are documents or records of the programme's unit.
    for (subjects, field) in [
        (vec!["dossiers/ho-so-1"], "audit.subjects[0]"),
        (vec![register.name.as_str(), "documents/khong-co"], "audit.subjects[1]"),
        (vec![elsewhere.name.as_str()], "audit.subjects[0]"),
        (
            vec![register.name.as_str(), register.name.as_str()],
            "audit.subjects[1]",
        ),
    ] {
        let status = planner
            .create_audit(audit(&[&staff.name], &subjects))
            .await
            .unwrap_err();
        assert_eq!(bad_field(&status), field, "{subjects:?}: {status:?}");
    }

    // Changing the auditors or the subjects is checked the same way.
    let update = |audit: Audit, paths: &[&str]| UpdateAuditRequest {
        audit: Some(audit),
        update_mask: mask(paths),
        etag: String::new(),
    };
    let status = planner
        .update_audit(update(
            Audit {
                name: planned.name.clone(),
                auditors: vec![staff.name.clone(), author.name.clone()],
                ..Default::default()
            },
            &["auditors"],
        ))
        .await
        .unwrap_err();
    refused_as_own_work(
        &status,
        &author.name,
        &format!("authored revision 1 of {}", procedure_document.name),
    );
    let moved = planner
        .update_audit(update(
            Audit {
                name: planned.name.clone(),
                auditors: vec![filer.name.clone()],
                subjects: vec![procedure_document.name.clone()],
                ..Default::default()
            },
            &["auditors", "subjects"],
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(moved.auditors, [filer.name.as_str()]);
    assert_eq!(moved.subjects, [procedure_document.name.as_str()]);
    let status = planner
        .update_audit(update(
            Audit {
                name: planned.name.clone(),
                subjects: vec![procedure_document.name.clone(), register.name.clone()],
                ..Default::default()
            },
            &["subjects"],
        ))
        .await
        .unwrap_err();
    refused_as_own_work(&status, &filer.name, &format!("filed {}", register.name));
    let status = planner
        .update_audit(update(
            Audit {
                name: planned.name.clone(),
                subjects: vec!["records/".into()],
                ..Default::default()
            },
            &["subjects"],
        ))
        .await
        .unwrap_err();
    assert_eq!(bad_field(&status), "audit.subjects[0]");
    let kept = planner
        .get_audit(GetAuditRequest {
            name: planned.name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (kept.auditors, kept.subjects),
        (vec![filer.name.clone()], vec![procedure_document.name.clone()]),
        "a refused change changes nothing"
    );
    server.stop().await;
}
