//! Made-up sample data on which an office's templates are tried when they are loaded. It
//! fills every part of the view model (supplement, extension, refusal, hand-overs, completion)
//! so that a template that uses any of it is exercised. No real person's data.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};
use eiso_proto::eiso::procedures::v1::{
    Applicant, Channel, CopyKind, Dossier, DossierStatus, Extension, Fee, Handover, Outcome, ProcedureStep,
    ProcedureVersion, ProcessingTime, ReceivedDocument, StatusChange, Supplement, processing_time::Budget,
};
use eiso_proto::prost_types::Timestamp;

use super::{FormContext, RegisterContext};
use crate::calendar::TIME_ZONE;

/// A local (Asia/Ho_Chi_Minh) wall-clock time as a UTC instant.
pub(super) fn local(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    TIME_ZONE
        .with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

pub(super) fn ts(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> Option<Timestamp> {
    let t = local(y, mo, d, h, mi);
    Some(Timestamp {
        seconds: t.timestamp(),
        nanos: 0,
    })
}

pub(super) fn change(status: DossierStatus, time: Option<Timestamp>, actor: &str, note: &str) -> StatusChange {
    StatusChange {
        status: status as i32,
        change_time: time,
        actor: actor.into(),
        note: note.into(),
    }
}

pub(super) fn procedure() -> ProcedureVersion {
    ProcedureVersion {
        name: "procedures/0.000000/versions/1".into(),
        number: 1,
        display_name: "Thủ tục mẫu".into(),
        field: "Lĩnh vực mẫu".into(),
        processing_time: Some(ProcessingTime {
            budget: Some(Budget::WorkingDays(3)),
        }),
        steps: vec![
            ProcedureStep {
                display_name: "Bước một".into(),
                handler: "Đơn vị một".into(),
                working_hours: 8,
            },
            ProcedureStep {
                display_name: "Bước hai".into(),
                handler: "Đơn vị hai".into(),
                working_hours: 8,
            },
            ProcedureStep {
                display_name: "Bước ba".into(),
                handler: "Đơn vị ba".into(),
                working_hours: 8,
            },
        ],
        fees: vec![Fee {
            description: "Lệ phí mẫu".into(),
            amount_vnd: 10_000,
        }],
        legal_basis: vec!["Văn bản mẫu".into()],
        ..Default::default()
    }
}

pub(super) fn dossier() -> Dossier {
    Dossier {
        name: "dossiers/sample".into(),
        code: "000.00.00.X00-250101-0001".into(),
        procedure_version: "procedures/0.000000/versions/1".into(),
        agency: "units/sample".into(),
        applicant: Some(Applicant {
            full_name: "Người Mẫu".into(),
            id_number: "000000000000".into(),
            phone: "0000000000".into(),
            address: "Địa chỉ mẫu".into(),
            email: "mau@example.invalid".into(),
            r#type: eiso_proto::eiso::procedures::v1::ApplicantType::Citizen as i32,
        }),
        summary: "Nội dung mẫu".into(),
        channel: Channel::Direct as i32,
        documents: vec![ReceivedDocument {
            display_name: "Giấy tờ mẫu".into(),
            copy_kind: CopyKind::Original as i32,
            sets: 1,
        }],
        status: DossierStatus::Returned as i32,
        receive_time: ts(2025, 3, 3, 8, 0),
        due_time: ts(2025, 3, 6, 8, 0),
        appointment_time: ts(2025, 3, 7, 8, 0),
        current_step: 2,
        assignee: "users/2".into(),
        handovers: vec![
            Handover {
                step: 0,
                giver: "users/1".into(),
                receiver: "users/1".into(),
                handover_time: ts(2025, 3, 3, 8, 0),
                step_due_time: ts(2025, 3, 3, 16, 0),
                note: String::new(),
                intake: true,
                giver_unit: "units/sample".into(),
            },
            Handover {
                step: 1,
                giver: "users/1".into(),
                receiver: "users/2".into(),
                handover_time: ts(2025, 3, 3, 9, 0),
                step_due_time: ts(2025, 3, 4, 9, 0),
                note: "Ghi chú".into(),
                intake: false,
                giver_unit: "units/sample".into(),
            },
            Handover {
                step: 2,
                giver: "users/2".into(),
                receiver: "users/3".into(),
                handover_time: ts(2025, 3, 4, 9, 0),
                step_due_time: ts(2025, 3, 5, 9, 0),
                note: String::new(),
                intake: false,
                giver_unit: String::new(),
            },
        ],
        supplements: vec![Supplement {
            request_time: ts(2025, 3, 3, 10, 0),
            reason: "Lý do mẫu".into(),
            documents: vec!["Giấy tờ cần bổ sung".into()],
            receive_time: ts(2025, 3, 3, 11, 0),
        }],
        extension: Some(Extension {
            request_time: ts(2025, 3, 4, 10, 0),
            reason: "Lý do chậm mẫu".into(),
            new_appointment_time: ts(2025, 3, 7, 8, 0),
        }),
        complete_time: ts(2025, 3, 6, 16, 0),
        result_summary: "Kết quả mẫu".into(),
        result_digitised: true,
        return_time: ts(2025, 3, 7, 8, 0),
        outcome: Outcome::Late as i32,
        history: vec![
            change(
                DossierStatus::NotReceived,
                ts(2025, 3, 1, 8, 0),
                "users/1",
                "Lý do từ chối mẫu",
            ),
            change(DossierStatus::Received, ts(2025, 3, 3, 8, 0), "users/1", ""),
            change(DossierStatus::SupplementRequested, ts(2025, 3, 3, 10, 0), "users/1", ""),
            change(DossierStatus::Returned, ts(2025, 3, 7, 8, 0), "users/1", ""),
        ],
        ..Default::default()
    }
}

fn officer_names() -> BTreeMap<String, String> {
    [
        ("users/1", "Cán bộ Một"),
        ("users/2", "Cán bộ Hai"),
        ("users/3", "Cán bộ Ba"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

pub(super) fn form_context() -> FormContext {
    FormContext {
        dossier: dossier(),
        procedure: procedure(),
        agency_name: "Cơ quan mẫu".into(),
        place_name: "Hải An".into(),
        agency_code: "000.00.00.X00".into(),
        officer_names: officer_names(),
        unit_names: [("units/sample".to_string(), "Bộ phận mẫu".to_string())]
            .into_iter()
            .collect(),
        issue_time: local(2025, 3, 3, 8, 0),
        public_url: "https://motcua.example.gov.vn".into(),
        rating_code: "K7PM3XQA".into(),
    }
}

pub(super) fn register_context() -> RegisterContext {
    RegisterContext {
        agency_name: "Cơ quan mẫu".into(),
        year: 2025,
        dossiers: vec![dossier()],
        procedures: [("procedures/0.000000/versions/1".to_string(), "Thủ tục mẫu".to_string())]
            .into_iter()
            .collect(),
        officer_names: officer_names(),
    }
}
