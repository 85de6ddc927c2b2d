//! Document control: restricted documents of S1 at each stage of their
//! lifecycle, and records of S1.

use eiso_proto::eiso::documents::v1::*;
use eiso_proto::prost_types::Timestamp;
use eiso_tests::TestServer;
use eiso_tests::documents;
use eiso_tests::values::mask;

use super::identity::fresh;
use super::{Call, Caller, Case, Seen, Units};
use crate::{listed, unary};

#[derive(Debug, Clone, Default)]
pub struct Fixture {
    /// A restricted draft document of S1 and its code; revision 1 is a draft with a file.
    pub document: String,
    pub restricted_code: String,
    pub draft: String,
    pub file: String,
    /// Revision 1 of another, in review by the setup user alone.
    pub in_review: String,
    /// Revision 1 of another, approved.
    pub approved: String,
    /// A restricted effective document of S1 (reviewed monthly) and its revision 1.
    pub effective: String,
    pub published: String,
    /// An open record of S1 with a file; a closed one (retention one month).
    pub record: String,
    pub record_file: String,
    pub closed_record: String,
    /// Another closed record of S1, for revising.
    pub revisable_record: String,
}

async fn document(client: &mut eiso_tests::Documents, unit: &str, code: &str, review_months: i32) -> Document {
    client
        .create_document(documents::create(Document {
            review_interval_months: review_months,
            ..documents::document(
                code,
                &format!("Quy trình {code}"),
                DocumentType::Procedure,
                unit,
                Confidentiality::Restricted,
            )
        }))
        .await
        .unwrap()
        .into_inner()
}

async fn revision(client: &mut eiso_tests::Documents, document: &str) -> Revision {
    client
        .create_revision(CreateRevisionRequest {
            parent: document.into(),
            revision: Some(Revision {
                change_summary: "Ban hành lần đầu".into(),
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner()
}

/// Uploads a short text file.
async fn upload(client: &mut eiso_tests::Documents, parent: &str, file_name: &str) -> Result<File, tonic::Status> {
    documents::upload(
        client,
        parent,
        file_name,
        "text/plain",
        "Nội dung tệp đính kèm".as_bytes(),
    )
    .await
}

async fn submit(client: &mut eiso_tests::Documents, revision: &str, reviewer: &str) {
    upload(client, revision, "ban-chinh.txt").await.unwrap();
    client
        .submit_revision(SubmitRevisionRequest {
            name: revision.into(),
            reviewers: vec![reviewer.into()],
            etag: String::new(),
        })
        .await
        .unwrap();
}

async fn approve(client: &mut eiso_tests::Documents, revision: &str) {
    client
        .approve_revision(ApproveRevisionRequest {
            name: revision.into(),
            comment: "Đồng ý".into(),
        })
        .await
        .unwrap();
}

async fn record(client: &mut eiso_tests::Documents, unit: &str, title: &str) -> Record {
    client
        .create_record(CreateRecordRequest {
            record: Some(Record {
                title: title.into(),
                owner_unit: unit.into(),
                retention_months: 1,
                disposition: Disposition::Destroy as i32,
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner()
}

/// `setup` drafts and publishes; `reviewer` (`users/{id}`, token) reviews.
pub async fn fixture(
    server: &TestServer,
    units: &Units,
    setup: &str,
    reviewer: (&str, &str),
    callers: &[Caller],
) -> Fixture {
    let mut client = server.documents(setup);
    let mut reviewing = server.documents(reviewer.1);
    let setup_user = reviewer.0;
    let draft_document = document(&mut client, &units.s1, "QT-HAN-CHE-01", 0).await;
    let draft = revision(&mut client, &draft_document.name).await;
    let file = upload(&mut client, &draft.name, "quy-trinh.txt").await.unwrap();

    let in_review_document = document(&mut client, &units.s1, "QT-HAN-CHE-02", 0).await;
    let in_review = revision(&mut client, &in_review_document.name).await;
    submit(&mut client, &in_review.name, setup_user).await;

    let approved_document = document(&mut client, &units.s1, "QT-HAN-CHE-03", 0).await;
    let approved = revision(&mut client, &approved_document.name).await;
    submit(&mut client, &approved.name, setup_user).await;
    approve(&mut reviewing, &approved.name).await;

    let effective = document(&mut client, &units.s1, "QT-HAN-CHE-04", 1).await;
    let published = revision(&mut client, &effective.name).await;
    submit(&mut client, &published.name, setup_user).await;
    approve(&mut reviewing, &published.name).await;
    client
        .publish_revision(PublishRevisionRequest {
            name: published.name.clone(),
            acknowledgement_users: callers.iter().map(|c| c.user.clone()).collect(),
            acknowledgement_units: Vec::new(),
            etag: String::new(),
        })
        .await
        .unwrap();

    let open = record(&mut client, &units.s1, "Sổ theo dõi hồ sơ").await;
    let record_file = upload(&mut client, &open.name, "so-theo-doi.txt").await.unwrap();
    let closed = record(&mut client, &units.s1, "Biên bản kiểm tra").await;
    client
        .close_record(CloseRecordRequest {
            name: closed.name.clone(),
            etag: String::new(),
        })
        .await
        .unwrap();

    let revisable = record(&mut client, &units.s1, "Báo cáo quý").await;
    client
        .close_record(CloseRecordRequest {
            name: revisable.name.clone(),
            etag: String::new(),
        })
        .await
        .unwrap();

    Fixture {
        document: draft_document.name,
        restricted_code: draft_document.code,
        draft: draft.name,
        file: file.name,
        in_review: in_review.name,
        approved: approved.name,
        effective: effective.name,
        published: published.name,
        record: open.name,
        record_file: record_file.name,
        closed_record: closed.name,
        revisable_record: revisable.name,
    }
}

fn year_2100() -> Timestamp {
    Timestamp {
        seconds: 4_102_444_800,
        nanos: 0,
    }
}

pub fn cases() -> Vec<Case> {
    vec![
        Case {
            method: "/eiso.documents.v1.DocumentService/CreateDocument",
            run: unary!(documents, create_document, |c| documents::create(documents::document(
                &format!("QT-MOI-{}", fresh()),
                "Quy trình mới",
                DocumentType::Procedure,
                &c.units.s1,
                Confidentiality::Internal,
            ))),
        },
        Case {
            method: "/eiso.documents.v1.DocumentService/GetDocument",
            run: unary!(documents, get_document, |c| GetDocumentRequest {
                name: c.fixture.documents.document.clone(),
                as_of_time: None,
            }),
        },
        Case {
            method: "/eiso.documents.v1.DocumentService/ListDocuments",
            run: listed!(
                documents,
                list_documents,
                |c| ListDocumentsRequest {
                    page_size: 1000,
                    ..Default::default()
                },
                c.fixture.documents.document.clone()
            ),
        },
        Case {
            method: "/eiso.documents.v1.DocumentService/UpdateDocument",
            run: unary!(documents, update_document, |c| UpdateDocumentRequest {
                document: Some(Document {
                    name: c.fixture.documents.document.clone(),
                    title: format!("Quy trình hạn chế ({})", fresh()),
                    ..Default::default()
                }),
                update_mask: mask(&["title"]),
                etag: String::new(),
            }),
        },
        Case {
            method: "/eiso.documents.v1.DocumentService/ListReviewDueDocuments",
            run: listed!(
                documents,
                list_review_due_documents,
                |c| ListReviewDueDocumentsRequest {
                    within_days: 3660,
                    page_size: 1000,
                    page_token: String::new(),
                },
                c.fixture.documents.effective.clone()
            ),
        },
        Case {
            method: "/eiso.documents.v1.DocumentService/RecordPeriodicReview",
            run: unary!(documents, record_periodic_review, |c| RecordPeriodicReviewRequest {
                name: c.fixture.documents.effective.clone(),
                comment: "Rà soát định kỳ: còn phù hợp".into(),
            }),
        },
        Case {
            method: "/eiso.documents.v1.DocumentService/CreateRevision",
            run: unary!(documents, create_revision, |c| CreateRevisionRequest {
                parent: c.fixture.documents.document.clone(),
                revision: Some(Revision {
                    change_summary: "Sửa đổi".into(),
                    ..Default::default()
                }),
                request_id: String::new(),
            }),
        },
        Case {
            method: "/eiso.documents.v1.DocumentService/GetRevision",
            run: unary!(documents, get_revision, |c| GetRevisionRequest {
                name: c.fixture.documents.draft.clone()
            }),
        },
        Case {
            method: "/eiso.documents.v1.DocumentService/ListRevisions",
            run: listed!(
                documents,
                list_revisions,
                |c| ListRevisionsRequest {
                    parent: c.fixture.documents.document.clone(),
                    ..Default::default()
                },
                c.fixture.documents.draft.clone()
            ),
        },
        Case {
            method: "/eiso.documents.v1.DocumentService/UpdateRevision",
            run: unary!(documents, update_revision, |c| UpdateRevisionRequest {
                revision: Some(Revision {
                    name: c.fixture.documents.draft.clone(),
                    change_reason: format!("Lý do {}", fresh()),
                    ..Default::default()
                }),
                update_mask: mask(&["change_reason"]),
                etag: String::new(),
            }),
        },
        Case {
            method: "/eiso.documents.v1.DocumentService/CheckOutRevision",
            run: unary!(documents, check_out_revision, |c| CheckOutRevisionRequest {
                name: c.fixture.documents.draft.clone()
            }),
        },
        Case {
            method: "/eiso.documents.v1.DocumentService/CheckInRevision",
            run: unary!(documents, check_in_revision, |c| CheckInRevisionRequest {
                name: c.fixture.documents.draft.clone(),
                force: false,
                reason: String::new(),
            }),
        },
        Case {
            method: "/eiso.documents.v1.DocumentService/UploadFile",
            run: Box::new(|c: Call| {
                Box::pin(async move {
                    let mut client = c.server.documents(c.token());
                    upload(
                        &mut client,
                        &c.fixture.documents.record,
                        &format!("tep-{}.txt", fresh()),
                    )
                    .await
                    .map(|_| Seen::Done)
                })
            }),
        },
        Case {
            method: "/eiso.documents.v1.DocumentService/DownloadFile",
            run: Box::new(|c: Call| {
                Box::pin(async move {
                    let mut stream = c
                        .server
                        .documents(c.token())
                        .download_file(DownloadFileRequest {
                            name: c.fixture.documents.file.clone(),
                        })
                        .await?
                        .into_inner();
                    while stream.message().await?.is_some() {}
                    Ok(Seen::Done)
                })
            }),
        },
        Case {
            method: "/eiso.documents.v1.DocumentService/DeleteFile",
            run: unary!(documents, delete_file, |c| DeleteFileRequest {
                name: c.fixture.documents.record_file.clone()
            }),
        },
        Case {
            method: "/eiso.documents.v1.DocumentService/SubmitRevision",
            run: unary!(documents, submit_revision, |c| SubmitRevisionRequest {
                name: c.fixture.documents.draft.clone(),
                reviewers: vec![c.caller.user.clone()],
                etag: String::new(),
            }),
        },
        Case {
            method: "/eiso.documents.v1.DocumentService/ApproveRevision",
            run: unary!(documents, approve_revision, |c| ApproveRevisionRequest {
                name: c.fixture.documents.in_review.clone(),
                comment: "Đồng ý".into(),
            }),
        },
        Case {
            method: "/eiso.documents.v1.DocumentService/RejectRevision",
            run: unary!(documents, reject_revision, |c| RejectRevisionRequest {
                name: c.fixture.documents.in_review.clone(),
                comment: "Chưa đạt".into(),
            }),
        },
        Case {
            method: "/eiso.documents.v1.DocumentService/PublishRevision",
            run: unary!(documents, publish_revision, |c| PublishRevisionRequest {
                name: c.fixture.documents.approved.clone(),
                ..Default::default()
            }),
        },
        Case {
            method: "/eiso.documents.v1.DocumentService/AcknowledgeRevision",
            run: unary!(documents, acknowledge_revision, |c| AcknowledgeRevisionRequest {
                name: c.fixture.documents.published.clone()
            }),
        },
        Case {
            method: "/eiso.documents.v1.DocumentService/ListAcknowledgements",
            run: unary!(documents, list_acknowledgements, |c| ListAcknowledgementsRequest {
                parent: c.fixture.documents.published.clone(),
                ..Default::default()
            }),
        },
        Case {
            method: "/eiso.documents.v1.DocumentService/CreateRecord",
            run: unary!(documents, create_record, |c| CreateRecordRequest {
                record: Some(Record {
                    title: "Sổ mới".into(),
                    owner_unit: c.units.s1.clone(),
                    retention_months: 12,
                    disposition: Disposition::Keep as i32,
                    ..Default::default()
                }),
                request_id: String::new(),
            }),
        },
        Case {
            method: "/eiso.documents.v1.DocumentService/GetRecord",
            run: unary!(documents, get_record, |c| GetRecordRequest {
                name: c.fixture.documents.record.clone()
            }),
        },
        Case {
            method: "/eiso.documents.v1.DocumentService/ListRecords",
            run: listed!(
                documents,
                list_records,
                |c| ListRecordsRequest {
                    page_size: 1000,
                    ..Default::default()
                },
                c.fixture.documents.record.clone()
            ),
        },
        Case {
            method: "/eiso.documents.v1.DocumentService/CloseRecord",
            run: unary!(documents, close_record, |c| CloseRecordRequest {
                name: c.fixture.documents.record.clone(),
                etag: String::new(),
            }),
        },
        Case {
            method: "/eiso.documents.v1.DocumentService/ReviseRecord",
            run: unary!(documents, revise_record, |c| ReviseRecordRequest {
                name: c.fixture.documents.revisable_record.clone(),
                reason: "Số liệu nhập muộn".into(),
                etag: String::new(),
            }),
        },
        Case {
            method: "/eiso.documents.v1.DocumentService/ListRecordsDueForDisposition",
            run: listed!(
                documents,
                list_records_due_for_disposition,
                |c| ListRecordsDueForDispositionRequest {
                    as_of_time: Some(year_2100()),
                    page_size: 1000,
                    page_token: String::new(),
                },
                c.fixture.documents.closed_record.clone()
            ),
        },
        Case {
            method: "/eiso.documents.v1.DocumentService/DisposeRecord",
            run: unary!(documents, dispose_record, |c| DisposeRecordRequest {
                name: c.fixture.documents.closed_record.clone(),
                reason: "Hết thời hạn lưu trữ".into(),
                reference: "QĐ-01".into(),
                etag: String::new(),
            }),
        },
        Case {
            // A year of its own: the reports' numbers stay as they are.
            method: "/eiso.documents.v1.DocumentService/AllocateIssueNumber",
            run: unary!(documents, allocate_issue_number, |c| AllocateIssueNumberRequest {
                unit: c.units.s1.clone(),
                year: 2199,
            }),
        },
        Case {
            method: "/eiso.documents.v1.DocumentService/ObsoleteDocument",
            run: unary!(documents, obsolete_document, |c| ObsoleteDocumentRequest {
                name: c.fixture.documents.document.clone(),
                reason: "Thay thế bằng quy trình mới".into(),
                etag: String::new(),
            }),
        },
        Case {
            method: "/eiso.documents.v1.DocumentService/WatchEvents",
            run: Box::new(|c: Call| {
                Box::pin(async move {
                    c.server
                        .documents(c.token())
                        .watch_events(WatchEventsRequest { after_sequence: 0 })
                        .await
                        .map(|_| Seen::Done)
                })
            }),
        },
    ]
}
