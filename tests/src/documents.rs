//! Fixtures of document control: a controlled document's and a record's
//! create requests, a record filed, and a file's upload and download.

use eiso_proto::eiso::documents::v1::{
    ApproveRevisionRequest, Confidentiality, CreateDocumentRequest, CreateRecordRequest, CreateRevisionRequest,
    Disposition, Document, DocumentType, DownloadFileRequest, File, PublishRevisionRequest, Record, Revision,
    SubmitRevisionRequest, UploadFileHeader, UploadFileRequest, download_file_response, upload_file_request,
};

use crate::Documents;

/// The content type of the PDFs the tests upload.
pub const PDF: &str = "application/pdf";

/// A controlled document of `type` owned by `owner_unit`; nothing else set.
pub fn document(
    code: &str,
    title: &str,
    r#type: DocumentType,
    owner_unit: &str,
    confidentiality: Confidentiality,
) -> Document {
    Document {
        code: code.into(),
        title: title.into(),
        r#type: r#type as i32,
        owner_unit: owner_unit.into(),
        confidentiality: confidentiality as i32,
        ..Default::default()
    }
}

/// A procedure document (reviewed every 12 months) owned by `owner_unit`.
pub fn procedure(code: &str, title: &str, owner_unit: &str, confidentiality: Confidentiality) -> Document {
    Document {
        review_interval_months: 12,
        ..document(code, title, DocumentType::Procedure, owner_unit, confidentiality)
    }
}

/// The request that creates `document`, without a request id.
pub fn create(document: Document) -> CreateDocumentRequest {
    CreateDocumentRequest {
        document: Some(document),
        request_id: String::new(),
    }
}

/// The request that creates the one-stop counter's procedure "QT-TTHC-01"
/// (internal) owned by `owner_unit`, without a request id.
pub fn counter_procedure(owner_unit: &str) -> CreateDocumentRequest {
    create(procedure(
        "QT-TTHC-01",
        "Quy trình tiếp nhận và trả kết quả hồ sơ",
        owner_unit,
        Confidentiality::Internal,
    ))
}

/// The request that starts `document`'s first revision ("Ban hành lần
/// đầu"), without a request id.
pub fn first_revision(document: &str) -> CreateRevisionRequest {
    CreateRevisionRequest {
        parent: document.into(),
        revision: Some(Revision {
            change_summary: "Ban hành lần đầu".into(),
            ..Default::default()
        }),
        request_id: String::new(),
    }
}

/// The request that creates a quality record `title` of `owner_unit`, kept
/// five years and then kept on, without a request id.
pub fn kept_record(title: &str, owner_unit: &str) -> CreateRecordRequest {
    CreateRecordRequest {
        record: Some(Record {
            title: title.into(),
            owner_unit: owner_unit.into(),
            retention_months: 60,
            disposition: Disposition::Keep as i32,
            ..Default::default()
        }),
        request_id: String::new(),
    }
}

/// The request that creates a quality record `title` of `owner_unit`, kept
/// five years and then destroyed, without a request id.
pub fn record_to_destroy(title: &str, owner_unit: &str) -> CreateRecordRequest {
    let mut request = kept_record(title, owner_unit);
    if let Some(record) = request.record.as_mut() {
        record.disposition = Disposition::Destroy as i32;
    }
    request
}

/// Creates the record `request` asks for through `client`: the record as
/// created.
pub async fn file_record(client: &mut Documents, request: CreateRecordRequest) -> Record {
    client
        .create_record(request)
        .await
        .expect("the record is created")
        .into_inner()
}

/// Takes the draft `revision` through review to publication: `author`
/// submits it to `approver` (`users/…`), the approver (signed in as
/// `approving`) approves it "Đồng ý ban hành", and `author` publishes it.
pub async fn publish_reviewed(author: &mut Documents, approving: &mut Documents, revision: &str, approver: &str) {
    author
        .submit_revision(SubmitRevisionRequest {
            name: revision.into(),
            reviewers: vec![approver.into()],
            etag: String::new(),
        })
        .await
        .expect("the revision is submitted");
    approving
        .approve_revision(ApproveRevisionRequest {
            name: revision.into(),
            comment: "Đồng ý ban hành".into(),
        })
        .await
        .expect("the revision is approved");
    author
        .publish_revision(PublishRevisionRequest {
            name: revision.into(),
            ..Default::default()
        })
        .await
        .expect("the revision is published");
}

/// Uploads `content` to `parent` (a revision or a record): the header, then
/// the content in chunks of 64 KiB.
pub async fn upload(
    client: &mut Documents,
    parent: &str,
    file_name: &str,
    content_type: &str,
    content: &[u8],
) -> Result<File, tonic::Status> {
    let mut messages = vec![UploadFileRequest {
        part: Some(upload_file_request::Part::Header(UploadFileHeader {
            parent: parent.into(),
            file_name: file_name.into(),
            content_type: content_type.into(),
            expected_sha256: String::new(),
        })),
    }];
    for chunk in content.chunks(64 * 1024) {
        messages.push(UploadFileRequest {
            part: Some(upload_file_request::Part::Chunk(chunk.to_vec())),
        });
    }
    client
        .upload_file(futures::stream::iter(messages))
        .await
        .map(|r| r.into_inner())
}

/// Downloads the file `name`: its metadata and its content.
pub async fn download(client: &mut Documents, name: &str) -> (File, Vec<u8>) {
    let mut stream = client
        .download_file(DownloadFileRequest { name: name.into() })
        .await
        .unwrap()
        .into_inner();
    let mut file = None;
    let mut content = Vec::new();
    while let Some(message) = stream.message().await.unwrap() {
        match message.part.unwrap() {
            download_file_response::Part::File(f) => file = Some(f),
            download_file_response::Part::Chunk(c) => content.extend(c),
        }
    }
    (file.unwrap(), content)
}

impl crate::TestServer {
    /// Moves the end of every closed record's retention to yesterday, as if
    /// its years had passed (the documents service reads the system's time).
    pub async fn end_record_retention(&self) {
        use sea_orm::ConnectionTrait;
        let raw = self
            .backend
            .as_ref()
            .expect("a running server's storage")
            .connect_raw("documents")
            .await;
        let past = chrono::Utc::now() - chrono::Duration::days(1);
        let sql = match raw.get_database_backend() {
            sea_orm::DbBackend::Postgres => format!("UPDATE records SET retention_end_time = '{}'", past.to_rfc3339()),
            _ => format!(
                "UPDATE records SET retention_end_time = '{}'",
                past.format("%Y-%m-%d %H:%M:%S%.6f %:z")
            ),
        };
        raw.execute_unprepared(&sql).await.expect("the update");
        raw.close().await.expect("closed");
    }
}
