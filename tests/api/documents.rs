//! Document control end to end: two reviewers, a rejection, resubmission,
//! approval, publication, supersession, withdrawal, as-of lookup, check-out,
//! files and acknowledgements; then records with retention and disposal.

use eiso_proto::eiso::documents::v1::*;
use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::prost_types::Timestamp;
use eiso_tests::TestServer;
use eiso_tests::counter::Office;
use eiso_tests::documents::{PDF, create, document, download, file_record, procedure, record_to_destroy, upload};
use eiso_tests::values::mask;
use tonic::Code;

fn now() -> Timestamp {
    let now = chrono::Utc::now();
    Timestamp {
        seconds: now.timestamp(),
        nanos: now.timestamp_subsec_nanos() as i32,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_revision_lifecycle() {
    let server = TestServer::start().await;
    let Office {
        unit: office,
        controller: controller_token,
    } = server.education_office().await;
    let (leader, leader_token) = server.user_with_role("lanh.dao", Role::Leader, &office.name).await;
    let (officer, officer_token) = server
        .user_with_role("chuyen.vien", Role::ProcessingOfficer, &office.name)
        .await;
    let (reader, reader_token) = server.user_with_role("giao.vien", Role::Viewer, &office.name).await;
    let mut controller = server.documents(&controller_token);
    let mut leader_client = server.documents(&leader_token);
    let mut officer_client = server.documents(&officer_token);

    let document = controller
        .create_document(CreateDocumentRequest {
            document: Some(Document {
                tags: vec!["Một cửa".into()],
                ..procedure(
                    "QT-TTHC-01",
                    "Quy trình tiếp nhận và trả kết quả hồ sơ",
                    &office.name,
                    Confidentiality::Internal,
                )
            }),
            request_id: "doc-1".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(document.state, document::State::Draft as i32);
    assert_eq!(document.tags, ["một cửa"]);

    // Revision 1: drafted under a check-out lock.
    let r1 = controller
        .create_revision(eiso_tests::documents::first_revision(&document.name))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((r1.number, r1.state), (1, revision::State::Draft as i32));
    let status = controller
        .create_revision(CreateRevisionRequest {
            parent: document.name.clone(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::FailedPrecondition, "one open revision at a time");

    controller
        .check_out_revision(CheckOutRevisionRequest { name: r1.name.clone() })
        .await
        .unwrap();
    let status = leader_client
        .update_revision(UpdateRevisionRequest {
            revision: Some(Revision {
                name: r1.name.clone(),
                change_reason: "sửa".into(),
                ..Default::default()
            }),
            update_mask: mask(&["change_reason"]),
            etag: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::FailedPrecondition, "checked out by someone else");
    let content_v1 = "Quy trình tiếp nhận hồ sơ — bản 1".repeat(5000).into_bytes();
    let file = upload(&mut controller, &r1.name, "QT-TTHC-01.pdf", PDF, &content_v1)
        .await
        .unwrap();
    assert_eq!(file.size as usize, content_v1.len());
    let status = upload(&mut leader_client, &r1.name, "khac.pdf", PDF, b"x")
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::FailedPrecondition);
    // Someone else's lock: the holder or a controller with force.
    let status = leader_client
        .check_in_revision(CheckInRevisionRequest {
            name: r1.name.clone(),
            force: true,
            reason: "nghỉ phép".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    controller
        .check_in_revision(CheckInRevisionRequest {
            name: r1.name.clone(),
            ..Default::default()
        })
        .await
        .unwrap();

    // An author never reviews their own revision.
    let me = server
        .identity(Some(&controller_token))
        .who_am_i(eiso_proto::eiso::identity::v1::WhoAmIRequest {})
        .await
        .unwrap()
        .into_inner();
    let status = controller
        .submit_revision(SubmitRevisionRequest {
            name: r1.name.clone(),
            reviewers: vec![me.principal.clone()],
            etag: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::FailedPrecondition);

    // Two reviewers: one approves, one rejects; back to draft with the comment.
    let submitted = controller
        .submit_revision(SubmitRevisionRequest {
            name: r1.name.clone(),
            reviewers: vec![leader.name.clone(), officer.name.clone()],
            etag: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (submitted.state, submitted.review_round),
        (revision::State::InReview as i32, 1)
    );
    let status = controller
        .publish_revision(PublishRevisionRequest {
            name: r1.name.clone(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(
        status.code(),
        Code::FailedPrecondition,
        "publishing an unapproved revision"
    );
    leader_client
        .approve_revision(ApproveRevisionRequest {
            name: r1.name.clone(),
            comment: "Đồng ý".into(),
        })
        .await
        .unwrap();
    let rejected = officer_client
        .reject_revision(RejectRevisionRequest {
            name: r1.name.clone(),
            comment: "Thiếu bước trả kết quả".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(rejected.state, revision::State::Draft as i32);
    let rejection = rejected.reviews.iter().find(|r| r.reviewer == officer.name).unwrap();
    assert_eq!(rejection.decision, review::Decision::Rejected as i32);
    assert_eq!(rejection.comment, "Thiếu bước trả kết quả");

    // Fixed and resubmitted: round 2, both approve.
    controller
        .update_revision(UpdateRevisionRequest {
            revision: Some(Revision {
                name: r1.name.clone(),
                change_reason: "Bổ sung bước trả kết quả".into(),
                ..Default::default()
            }),
            update_mask: mask(&["change_reason"]),
            etag: String::new(),
        })
        .await
        .unwrap();
    let resubmitted = controller
        .submit_revision(SubmitRevisionRequest {
            name: r1.name.clone(),
            reviewers: vec![leader.name.clone(), officer.name.clone()],
            etag: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(resubmitted.review_round, 2);
    leader_client
        .approve_revision(ApproveRevisionRequest {
            name: r1.name.clone(),
            comment: String::new(),
        })
        .await
        .unwrap();
    let status = leader_client
        .approve_revision(ApproveRevisionRequest {
            name: r1.name.clone(),
            comment: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(
        status.code(),
        Code::FailedPrecondition,
        "one decision per reviewer per round"
    );
    let approved = officer_client
        .approve_revision(ApproveRevisionRequest {
            name: r1.name.clone(),
            comment: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(approved.state, revision::State::Approved as i32);

    // Approved revisions are immutable.
    let status = upload(&mut controller, &r1.name, "them.pdf", PDF, b"late")
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::FailedPrecondition);

    // Published, with the office asked to acknowledge.
    let before_publication = now();
    let published = controller
        .publish_revision(PublishRevisionRequest {
            name: r1.name.clone(),
            acknowledgement_units: vec![office.name.clone()],
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(published.state, revision::State::Effective as i32);
    let between = now();

    // Revision 2 supersedes it.
    let r2 = controller
        .create_revision(CreateRevisionRequest {
            parent: document.name.clone(),
            revision: Some(Revision {
                change_summary: "Cập nhật theo Nghị định 118/2025/NĐ-CP".into(),
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r2.number, 2);
    let content_v2 = b"ban 2".repeat(100);
    upload(&mut controller, &r2.name, "QT-TTHC-01 v2.pdf", PDF, &content_v2)
        .await
        .unwrap();
    controller
        .submit_revision(SubmitRevisionRequest {
            name: r2.name.clone(),
            reviewers: vec![leader.name.clone()],
            etag: String::new(),
        })
        .await
        .unwrap();
    leader_client
        .approve_revision(ApproveRevisionRequest {
            name: r2.name.clone(),
            comment: String::new(),
        })
        .await
        .unwrap();
    controller
        .publish_revision(PublishRevisionRequest {
            name: r2.name.clone(),
            acknowledgement_users: vec![reader.name.clone()],
            ..Default::default()
        })
        .await
        .unwrap();

    let history = controller
        .list_revisions(ListRevisionsRequest {
            parent: document.name.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .revisions;
    let states: Vec<_> = history.iter().map(|r| (r.number, r.state)).collect();
    assert_eq!(
        states,
        [
            (2, revision::State::Effective as i32),
            (1, revision::State::Superseded as i32)
        ]
    );

    // As-of lookups: now r2, between the publications r1, before them none.
    let current = controller
        .get_document(GetDocumentRequest {
            name: document.name.clone(),
            as_of_time: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (current.effective_revision, current.revision.as_ref().unwrap().number),
        (2, 2)
    );
    assert!(current.next_review_time.is_some());
    let then = controller
        .get_document(GetDocumentRequest {
            name: document.name.clone(),
            as_of_time: Some(between),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(then.revision.unwrap().number, 1);
    let before = controller
        .get_document(GetDocumentRequest {
            name: document.name.clone(),
            as_of_time: Some(before_publication),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(before.revision.is_none());

    // The superseded revision's file is still there, byte for byte.
    let (meta, bytes) = download(&mut controller, &file.name).await;
    assert_eq!(bytes, content_v1);
    assert_eq!(meta.sha256, file.sha256);

    // Acknowledgements of r2: the reader was asked and has not read it yet.
    let mut reader_client = server.documents(&reader_token);
    let acks = controller
        .list_acknowledgements(ListAcknowledgementsRequest {
            parent: r2.name.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!((acks.required_count, acks.acknowledged_count), (1, 0));
    let status = reader_client
        .acknowledge_revision(AcknowledgeRevisionRequest { name: r1.name.clone() })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::FailedPrecondition, "r1 is no longer in use");
    reader_client
        .acknowledge_revision(AcknowledgeRevisionRequest { name: r2.name.clone() })
        .await
        .unwrap();
    let acks = controller
        .list_acknowledgements(ListAcknowledgementsRequest {
            parent: r2.name.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!((acks.required_count, acks.acknowledged_count), (1, 1));
    // r1 went to the whole office: four users asked, nobody acknowledged.
    let pending = controller
        .list_acknowledgements(ListAcknowledgementsRequest {
            parent: r1.name.clone(),
            filter: "acknowledged = false".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(pending.required_count, 4);
    assert_eq!(pending.acknowledgements.len(), 4);

    // Withdrawn: the effective revision becomes obsolete; no new revisions.
    let status = officer_client
        .obsolete_document(ObsoleteDocumentRequest {
            name: document.name.clone(),
            reason: "x".into(),
            etag: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    let obsolete = controller
        .obsolete_document(ObsoleteDocumentRequest {
            name: document.name.clone(),
            reason: "Thay bằng quy trình liên thông".into(),
            etag: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(obsolete.state, document::State::Obsolete as i32);
    assert_eq!(obsolete.revision.unwrap().state, revision::State::Obsolete as i32);
    let status = controller
        .create_revision(CreateRevisionRequest {
            parent: document.name.clone(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::FailedPrecondition);

    // Every change is in the documents trail, and the trail is whole.
    let verification = server.verify_trail("trails/documents").await;
    assert!(verification.intact);
    assert!(verification.entries_checked >= 20, "{verification:?}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restricted_documents_stay_within_their_unit() {
    let server = TestServer::start().await;
    let root = server.root_unit().await;
    let office = server.create_unit("PGD", "Phòng GD&ĐT", &root.name).await;
    let school = server.create_unit("TH1", "Trường Tiểu học số 1", &office.name).await;
    let other = server.create_unit("UBND", "Văn phòng UBND", &root.name).await;
    let (_, controller) = server
        .user_with_role("thu.ky", Role::DocumentController, &office.name)
        .await;
    let (_, below) = server.user_with_role("giao.vien", Role::Viewer, &school.name).await;
    let (_, inside) = server.user_with_role("chuyen.vien", Role::Viewer, &office.name).await;
    let (_, outside) = server.user_with_role("van.thu", Role::Viewer, &other.name).await;
    let document = server
        .documents(&controller)
        .create_document(create(document(
            "HD-NB-01",
            "Hướng dẫn nội bộ",
            DocumentType::Instruction,
            &office.name,
            Confidentiality::Restricted,
        )))
        .await
        .unwrap()
        .into_inner();
    let list = |token: String| {
        let mut client = server.documents(&token);
        async move {
            client
                .list_documents(ListDocumentsRequest::default())
                .await
                .unwrap()
                .into_inner()
                .documents
                .len()
        }
    };
    // A binding covers its unit and the units below it, never those above.
    assert_eq!(list(inside.clone()).await, 1, "the owner unit sees it");
    assert_eq!(list(below.clone()).await, 0, "a school below the owner unit does not");
    assert_eq!(list(outside.clone()).await, 0, "another unit does not");
    // The school's own restricted document is seen by the office above it.
    server
        .documents(&controller)
        .create_document(create(eiso_tests::documents::document(
            "BB-TH1-01",
            "Biên bản họp tổ",
            DocumentType::Instruction,
            &school.name,
            Confidentiality::Restricted,
        )))
        .await
        .unwrap();
    assert_eq!(list(inside.clone()).await, 2, "the office sees its schools' documents");
    assert_eq!(list(below.clone()).await, 1, "the school sees its own");
    let status = server
        .documents(&outside)
        .get_document(GetDocumentRequest {
            name: document.name.clone(),
            as_of_time: None,
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_school_neither_takes_over_nor_declassifies_the_offices_documents() {
    let server = TestServer::start().await;
    let root = server.root_unit().await;
    let office = server.create_unit("PGD", "Phòng GD&ĐT", &root.name).await;
    let school = server.create_unit("TH1", "Trường Tiểu học số 1", &office.name).await;
    let other = server.create_unit("TH2", "Trường Tiểu học số 2", &office.name).await;
    let (_, controller) = server
        .user_with_role("thu.ky", Role::DocumentController, &office.name)
        .await;
    let (_, officer) = server
        .user_with_role("chuyen.vien", Role::ProcessingOfficer, &school.name)
        .await;
    let instruction = |code: &str, unit: &str, confidentiality: Confidentiality| {
        create(document(
            code,
            &format!("Tài liệu {code}"),
            DocumentType::Instruction,
            unit,
            confidentiality,
        ))
    };
    let offices_internal = server
        .documents(&controller)
        .create_document(instruction("HD-01", &office.name, Confidentiality::Internal))
        .await
        .unwrap()
        .into_inner();
    let offices_restricted = server
        .documents(&controller)
        .create_document(instruction("HD-02", &office.name, Confidentiality::Restricted))
        .await
        .unwrap()
        .into_inner();
    let schools = server
        .documents(&officer)
        .create_document(instruction("BB-01", &school.name, Confidentiality::Internal))
        .await
        .unwrap()
        .into_inner();
    let update = |name: &str, document: Document, path: &str| UpdateDocumentRequest {
        document: Some(Document {
            name: name.into(),
            ..document
        }),
        update_mask: mask(&[path]),
        etag: String::new(),
    };
    let mut client = server.documents(&officer);
    // Taking the office's document over: it sees the internal one (refused),
    // not the restricted one (not found), and neither changes.
    let status = client
        .update_document(update(
            &offices_internal.name,
            Document {
                owner_unit: school.name.clone(),
                ..Default::default()
            },
            "owner_unit",
        ))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied, "{status:?}");
    let status = client
        .update_document(update(
            &offices_restricted.name,
            Document {
                confidentiality: Confidentiality::Public as i32,
                ..Default::default()
            },
            "confidentiality",
        ))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::NotFound, "{status:?}");
    // Moving its own document to a school beside it: the unit it would go to
    // is outside the officer's units.
    let status = client
        .update_document(update(
            &schools.name,
            Document {
                owner_unit: other.name.clone(),
                ..Default::default()
            },
            "owner_unit",
        ))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied, "{status:?}");
    let mut office_client = server.documents(&controller);
    for (document, unit, confidentiality) in [
        (&offices_internal, &office.name, Confidentiality::Internal),
        (&offices_restricted, &office.name, Confidentiality::Restricted),
        (&schools, &school.name, Confidentiality::Internal),
    ] {
        let stored = office_client
            .get_document(GetDocumentRequest {
                name: document.name.clone(),
                as_of_time: None,
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            (&stored.owner_unit, stored.confidentiality),
            (unit, confidentiality as i32)
        );
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_are_kept_then_disposed_of_as_a_recorded_act() {
    let server = TestServer::start().await;
    let Office {
        unit: office,
        controller: token,
    } = server.education_office().await;
    let mut client = server.documents(&token);

    let record = file_record(
        &mut client,
        record_to_destroy("Sổ theo dõi hồ sơ năm 2024", &office.name),
    )
    .await;
    let file = upload(&mut client, &record.name, "so-theo-doi-2024.pdf", PDF, b"so theo doi")
        .await
        .unwrap();
    let closed = client
        .close_record(CloseRecordRequest {
            name: record.name.clone(),
            etag: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(closed.state, record::State::Closed as i32);
    let end = closed.retention_end_time.unwrap();
    let years = (end.seconds - closed.close_time.unwrap().seconds) / (365 * 86_400);
    assert_eq!(years, 5);
    let status = upload(&mut client, &record.name, "muon.pdf", PDF, b"x")
        .await
        .unwrap_err();
    assert_eq!(
        status.code(),
        Code::FailedPrecondition,
        "a closed record does not change"
    );

    // Not due yet: refused, and not listed; listed as of after the end.
    let dispose = DisposeRecordRequest {
        name: record.name.clone(),
        reason: "Hết thời hạn lưu trữ".into(),
        reference: "Biên bản hủy số 05/BB-PGD".into(),
        etag: String::new(),
    };
    let status = client.dispose_record(dispose.clone()).await.unwrap_err();
    assert_eq!(status.code(), Code::FailedPrecondition);
    let due_now = client
        .list_records_due_for_disposition(ListRecordsDueForDispositionRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert!(due_now.records.is_empty());
    let later = Timestamp {
        seconds: end.seconds + 1,
        nanos: 0,
    };
    let due_later = client
        .list_records_due_for_disposition(ListRecordsDueForDispositionRequest {
            as_of_time: Some(later),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(due_later.records.len(), 1);

    // Five years pass (the stored end of retention is moved back).
    server.end_record_retention().await;

    let disposed = client.dispose_record(dispose).await.unwrap().into_inner();
    assert_eq!(disposed.state, record::State::Disposed as i32);
    let act = disposed.disposition_act.unwrap();
    assert_eq!(act.reference, "Biên bản hủy số 05/BB-PGD");
    assert_eq!(act.disposition, Disposition::Destroy as i32);
    // The record and its act remain; the destroyed content does not.
    let status = client
        .download_file(DownloadFileRequest {
            name: file.name.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::FailedPrecondition);
    server.stop().await;
}
