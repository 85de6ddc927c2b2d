//! The document-service calls the benchmark makes, each failing with what it
//! was doing.

use eiso_proto::eiso::documents::v1::{
    ApproveRevisionRequest, Confidentiality, CreateDocumentRequest, CreateRevisionRequest, Document, DocumentType,
    File, PublishRevisionRequest, Revision, SubmitRevisionRequest, UploadFileHeader, UploadFileRequest,
    upload_file_request,
};

use crate::session::{Documents, call_error};

pub async fn create_document(client: &mut Documents, unit: &str, code: &str) -> anyhow::Result<Document> {
    let response = client
        .create_document(CreateDocumentRequest {
            document: Some(Document {
                code: code.to_string(),
                title: format!("Quy trình đo hiệu năng {code}"),
                r#type: DocumentType::Procedure as i32,
                owner_unit: unit.to_string(),
                confidentiality: Confidentiality::Internal as i32,
                review_interval_months: 12,
                ..Default::default()
            }),
            request_id: uuid::Uuid::new_v4().to_string(),
        })
        .await
        .map_err(|status| call_error(&format!("CreateDocument {code}"), &status))?;
    Ok(response.into_inner())
}

pub async fn create_revision(client: &mut Documents, document: &str) -> anyhow::Result<Revision> {
    let response = client
        .create_revision(CreateRevisionRequest {
            parent: document.to_string(),
            revision: Some(Revision {
                change_summary: "Đo hiệu năng".to_string(),
                ..Default::default()
            }),
            request_id: uuid::Uuid::new_v4().to_string(),
        })
        .await
        .map_err(|status| call_error(&format!("CreateRevision of {document}"), &status))?;
    Ok(response.into_inner())
}

/// The first message of an upload.
pub fn upload_header(parent: &str, file_name: &str, expected_sha256: &str) -> UploadFileRequest {
    UploadFileRequest {
        part: Some(upload_file_request::Part::Header(UploadFileHeader {
            parent: parent.to_string(),
            file_name: file_name.to_string(),
            content_type: "application/octet-stream".to_string(),
            expected_sha256: expected_sha256.to_string(),
        })),
    }
}

pub fn upload_chunk(bytes: Vec<u8>) -> UploadFileRequest {
    UploadFileRequest {
        part: Some(upload_file_request::Part::Chunk(bytes)),
    }
}

/// Uploads a small file in one message.
pub async fn upload_small(
    client: &mut Documents,
    parent: &str,
    file_name: &str,
    bytes: Vec<u8>,
) -> anyhow::Result<File> {
    let messages = [upload_header(parent, file_name, ""), upload_chunk(bytes)];
    let response = client
        .upload_file(futures::stream::iter(messages))
        .await
        .map_err(|status| call_error(&format!("UploadFile to {parent}"), &status))?;
    Ok(response.into_inner())
}

pub async fn submit(client: &mut Documents, revision: &str, reviewer: &str) -> anyhow::Result<Revision> {
    let response = client
        .submit_revision(SubmitRevisionRequest {
            name: revision.to_string(),
            reviewers: vec![reviewer.to_string()],
            etag: String::new(),
        })
        .await
        .map_err(|status| call_error(&format!("SubmitRevision {revision}"), &status))?;
    Ok(response.into_inner())
}

pub async fn approve(client: &mut Documents, revision: &str) -> anyhow::Result<Revision> {
    let response = client
        .approve_revision(ApproveRevisionRequest {
            name: revision.to_string(),
            comment: "Đồng ý".to_string(),
        })
        .await
        .map_err(|status| call_error(&format!("ApproveRevision {revision}"), &status))?;
    Ok(response.into_inner())
}

pub async fn publish(client: &mut Documents, revision: &str) -> anyhow::Result<Revision> {
    let response = client
        .publish_revision(PublishRevisionRequest {
            name: revision.to_string(),
            ..Default::default()
        })
        .await
        .map_err(|status| call_error(&format!("PublishRevision {revision}"), &status))?;
    Ok(response.into_inner())
}
