//! `--setup`: the agencies, the two users and the published procedure the
//! benchmark runs against, created through the API by an administrator and a
//! document controller; and, for the other commands, the agencies the counter
//! user receives at.

use anyhow::{Context as _, bail};
use eiso_proto::eiso::identity::v1::{CreateUserRequest, Role, RoleBinding, UnitKind, User, WhoAmIRequest};
use eiso_proto::eiso::procedures::v1::{
    CopyKind, CreateProcedureRequest, Fee, GetProcedureRequest, OnlineLevel, ProcedureLevel, ProcedureStep,
    ProcedureVersion, ProcessingTime, PublishProcedureVersionRequest, RequiredDocument, SupplementMode, procedure,
    processing_time,
};
use eiso_proto::tonic::Code;
use eiso_proto::tonic::transport::Channel;

use crate::session;
use crate::session::{Session, call_error};

/// The agencies `--setup` creates: code and Vietnamese name (communes of Hải
/// Phòng, which handle school transfers since 1 July 2025).
pub const AGENCIES: [(&str, &str); 3] = [
    ("UBND-DANGLAM", "Ủy ban nhân dân phường Đằng Lâm"),
    ("UBND-LECHAN", "Ủy ban nhân dân phường Lê Chân"),
    ("UBND-NGOQUYEN", "Ủy ban nhân dân phường Ngô Quyền"),
];

/// Who `--setup` works for.
pub struct Plan<'a> {
    pub agencies: usize,
    pub counter_username: &'a str,
    pub controller_username: &'a str,
    pub leader_username: &'a str,
    pub password: &'a str,
    pub procedure: &'a str,
}

/// What `--setup` found or created.
#[derive(Debug)]
pub struct Done {
    pub agencies: Vec<String>,
    pub procedure_version: String,
    pub created: Vec<String>,
}

/// Creates what is missing; keeps what exists.
pub async fn run(channel: &Channel, admin: &Session, plan: &Plan<'_>) -> anyhow::Result<Done> {
    let mut identity = admin.identity(channel.clone());
    let mut created = Vec::new();
    let mut agencies = Vec::new();
    for (code, display_name) in AGENCIES.iter().take(plan.agencies) {
        let (unit, new) = eiso_benchkit::unit(&mut identity, code, display_name, UnitKind::Commune).await?;
        if new {
            created.push(format!("unit {code} ({unit})"));
        }
        agencies.push(unit);
    }
    let Some(main) = agencies.first().cloned() else {
        bail!("no agency to set up");
    };

    // `role` in every agency.
    let everywhere = |role: Role| {
        agencies
            .iter()
            .map(|unit| RoleBinding {
                role: role as i32,
                unit: unit.clone(),
            })
            .collect::<Vec<_>>()
    };
    let users = [
        (
            plan.counter_username,
            "Nguyễn Thị Thu Hà (một cửa)",
            everywhere(Role::CounterStaff),
        ),
        (
            plan.controller_username,
            "Trần Văn Minh (thư ký ISO)",
            vec![RoleBinding {
                role: Role::DocumentController as i32,
                unit: main.clone(),
            }],
        ),
        (
            plan.leader_username,
            "Lê Quang Huy (lãnh đạo)",
            everywhere(Role::Leader),
        ),
    ];
    for (username, display_name, role_bindings) in users {
        let result = identity
            .create_user(CreateUserRequest {
                user: Some(User {
                    username: username.to_string(),
                    display_name: display_name.to_string(),
                    role_bindings,
                    ..Default::default()
                }),
                password: plan.password.to_string(),
                request_id: uuid::Uuid::new_v4().to_string(),
            })
            .await;
        match result {
            Ok(_) => created.push(format!("user {username}")),
            Err(status) if status.code() == Code::AlreadyExists => {}
            Err(status) => return Err(call_error(&format!("cannot create user {username}"), &status)),
        }
    }

    let controller = Session::login(channel, plan.controller_username, plan.password).await?;
    let mut catalogue = session::catalogue(&controller, channel.clone());
    let name = format!("procedures/{}", plan.procedure);
    let found = catalogue
        .get_procedure(GetProcedureRequest { name: name.clone() })
        .await;
    let draft = match found {
        Ok(found) => {
            let found = found.into_inner();
            match procedure::State::try_from(found.state) {
                Ok(procedure::State::Published) => None,
                Ok(procedure::State::Draft) => Some(format!("{name}/versions/{}", found.latest_version)),
                _ => bail!("{name} is withdrawn: dossiers cannot be received under it"),
            }
        }
        Err(status) if status.code() == Code::NotFound => {
            let procedure = catalogue
                .create_procedure(CreateProcedureRequest {
                    code: plan.procedure.to_string(),
                    version: Some(school_transfer(&main)),
                    request_id: uuid::Uuid::new_v4().to_string(),
                })
                .await
                .map_err(|status| call_error(&format!("cannot create {name}"), &status))?
                .into_inner();
            created.push(name.clone());
            Some(
                procedure
                    .version
                    .map(|v| v.name)
                    .context("CreateProcedure returned no version")?,
            )
        }
        Err(status) => return Err(call_error(&format!("cannot get {name}"), &status)),
    };
    if let Some(version) = draft {
        catalogue
            .publish_procedure_version(PublishProcedureVersionRequest { name: version.clone() })
            .await
            .map_err(|status| call_error(&format!("cannot publish {version}"), &status))?;
        created.push(format!("published {version}"));
    }
    let published = catalogue
        .get_procedure(GetProcedureRequest { name: name.clone() })
        .await
        .map_err(|status| call_error(&format!("cannot get {name}"), &status))?
        .into_inner();
    Ok(Done {
        agencies,
        procedure_version: format!("{name}/versions/{}", published.published_version),
        created,
    })
}

/// Procedure 2.002481, school transfer for lower-secondary pupils: 3 working
/// days, steps of 4 + 16 + 4 working hours.
fn school_transfer(agency: &str) -> ProcedureVersion {
    let step = |display_name: &str, handler: &str, working_hours| ProcedureStep {
        display_name: display_name.to_string(),
        handler: handler.to_string(),
        working_hours,
    };
    let document = |display_name: &str, copy_kind: CopyKind| RequiredDocument {
        display_name: display_name.to_string(),
        copy_kind: copy_kind as i32,
        sets: 1,
    };
    ProcedureVersion {
        display_name: "Chuyển trường đối với học sinh trung học cơ sở".to_string(),
        field: "Giáo dục trung học".to_string(),
        level: ProcedureLevel::Commune as i32,
        agency: agency.to_string(),
        processing_time: Some(ProcessingTime {
            budget: Some(processing_time::Budget::WorkingDays(3)),
        }),
        supplement_mode: SupplementMode::Restart as i32,
        steps: vec![
            step("Tiếp nhận và chuyển hồ sơ", "Bộ phận một cửa", 4),
            step("Thẩm định hồ sơ", "Công chức văn hóa - xã hội", 16),
            step("Ký duyệt, trả kết quả", "Lãnh đạo UBND phường", 4),
        ],
        required_documents: vec![
            document("Đơn xin chuyển trường", CopyKind::Original),
            document("Học bạ", CopyKind::Original),
            document("Giấy giới thiệu chuyển trường của trường nơi đi", CopyKind::Original),
            document("Bản sao giấy khai sinh", CopyKind::CertifiedCopy),
        ],
        fees: vec![Fee {
            description: "Không thu phí".to_string(),
            amount_vnd: 0,
        }],
        legal_basis: vec!["Thông tư 50/2021/TT-BGDĐT".to_string()],
        online_level: OnlineLevel::Full as i32,
        ..Default::default()
    }
}

/// The agencies where `counter` is counter staff, in the order of its role
/// bindings.
pub async fn counter_agencies(channel: &Channel, counter: &Session, username: &str) -> anyhow::Result<Vec<String>> {
    let me = counter
        .identity(channel.clone())
        .who_am_i(WhoAmIRequest {})
        .await
        .map_err(|status| call_error("WhoAmI failed", &status))?
        .into_inner();
    let agencies: Vec<String> = me
        .role_bindings
        .iter()
        .filter(|binding| binding.role == Role::CounterStaff as i32)
        .map(|binding| binding.unit.clone())
        .collect();
    if agencies.is_empty() {
        bail!("{username} is not counter staff anywhere (run with --setup, or use another --counter-username)");
    }
    Ok(agencies)
}
