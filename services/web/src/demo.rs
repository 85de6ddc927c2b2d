//! The demo office a first start offers to load, so that a newcomer sees a
//! living office rather than empty pages: the Education and Training office
//! of Hải An with two schools, five people (one per role of the counter's
//! day), the sample catalogue, the seed's 2024 reform plan (and a copy for
//! this year, marked as a sample, so the dashboard has targets), and a few
//! dossiers at different stages.
//!
//! Everything goes through the services' own APIs as the person whose work
//! it is: the administrator creates the units and the people, the document
//! controller imports the catalogue, the leader the plans, the clerk and the
//! officer receive and handle the dossiers, each signed in with the password
//! the loader just gave them. The audit trails read as if they had done it,
//! with the reason "dữ liệu mẫu".

use chrono::Datelike;
use eiso_platform::aip::time::TIME_ZONE;
use eiso_platform::{CallContext, ServiceError, ServiceResult};
use eiso_proto::eiso::identity::v1 as id;
use eiso_proto::eiso::plans::v1 as plans;
use eiso_proto::eiso::procedures::v1 as pb;

use crate::Web;

/// The reason every demo change is recorded with.
const REASON: &str = "dữ liệu mẫu";

/// The sample catalogue, its agency to be replaced.
const CATALOGUE: &str = include_str!("../../procedures/samples/thu-tuc-giao-duc.csv");
/// The seed's 2024 plan: its appendix table and its Section II targets.
const PLAN: &str = include_str!("../../plans/samples/ke-hoach-cchc-2024.csv");
const PLAN_TARGETS: &str = include_str!("../../plans/samples/ke-hoach-cchc-2024-chi-tieu.csv");

/// The procedure the demo dossiers are received under.
const TRANSFER: &str = "2.002481";

/// One demo person: (username, display name, role, at the office or the school).
const PEOPLE: [(&str, &str, id::Role, bool); 5] = [
    ("mot.cua", "Phạm Thị Hoa", id::Role::CounterStaff, true),
    ("chuyen.vien", "Trần Văn Bình", id::Role::ProcessingOfficer, true),
    ("lanh.dao", "Hoàng Minh Tuấn", id::Role::Leader, true),
    ("thu.ky", "Đỗ Văn Khoa", id::Role::DocumentController, true),
    ("hieu.truong", "Nguyễn Thị Mai", id::Role::Leader, false),
];

/// What was loaded: the people and the password they share, shown once.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub people: Vec<(String, String, id::Role)>,
    pub password: String,
    pub dossiers: usize,
}

/// Whether the office is still as a first start leaves it: the
/// administrator alone, no unit under the root.
pub async fn is_empty(web: &Web) -> ServiceResult<bool> {
    let users = web
        .identity()
        .list_users(id::ListUsersRequest {
            page_size: 2,
            ..Default::default()
        })
        .await?;
    let units = web
        .identity()
        .list_units(id::ListUnitsRequest {
            page_size: 2,
            ..Default::default()
        })
        .await?;
    Ok(users.users.len() <= 1 && units.units.len() <= 1)
}

/// Loads the demo office, as `admin` (the signed-in administrator).
/// FAILED_PRECONDITION unless the office is empty.
pub async fn load(web: &Web, admin: &eiso_platform::Principal) -> ServiceResult<Loaded> {
    if !is_empty(web).await? {
        return Err(ServiceError::precondition(
            "NOT_EMPTY",
            "units",
            "the demo office is loaded only into an empty installation",
        ));
    }
    let as_admin = |method: &str| context(admin, &format!("/eiso.identity.v1.IdentityService/{method}"));
    let identity = web.identity();
    let root = identity
        .list_units(id::ListUnitsRequest {
            page_size: 10,
            ..Default::default()
        })
        .await?
        .units
        .into_iter()
        .find(|u| u.parent.is_empty())
        .ok_or_else(|| ServiceError::internal("no root unit"))?;
    let unit = |code: &str, name: &str, kind: id::UnitKind, parent: &str| id::CreateUnitRequest {
        unit: Some(id::Unit {
            code: code.into(),
            display_name: name.into(),
            kind: kind as i32,
            parent: parent.into(),
            ..Default::default()
        }),
        request_id: format!("demo-unit-{code}"),
    };
    let ctx = as_admin("CreateUnit")?;
    // The office dates its documents at Hải An; its schools take that.
    let mut office = unit(
        "PGD-HAIAN",
        "Phòng Giáo dục và Đào tạo quận Hải An",
        id::UnitKind::Office,
        &root.name,
    );
    if let Some(u) = office.unit.as_mut() {
        u.place_name = "Hải An".into();
    }
    let office = identity.create_unit(&ctx, office).await?;
    let school = identity
        .create_unit(
            &ctx,
            unit(
                "THCS-DANGLAM",
                "Trường THCS Đằng Lâm",
                id::UnitKind::LowerSecondarySchool,
                &office.name,
            ),
        )
        .await?;
    identity
        .create_unit(
            &ctx,
            unit(
                "TH-CATBI",
                "Trường Tiểu học Cát Bi",
                id::UnitKind::PrimarySchool,
                &office.name,
            ),
        )
        .await?;

    let password = new_password();
    let ctx = as_admin("CreateUser")?;
    let mut people = Vec::new();
    let mut user_names = std::collections::HashMap::new();
    for (username, display_name, role, at_office) in PEOPLE {
        let unit = if at_office { &office.name } else { &school.name };
        let user = identity
            .create_user(
                &ctx,
                id::CreateUserRequest {
                    user: Some(id::User {
                        username: username.into(),
                        display_name: display_name.into(),
                        role_bindings: vec![id::RoleBinding {
                            role: role as i32,
                            unit: unit.clone(),
                        }],
                        ..Default::default()
                    }),
                    password: password.clone(),
                    request_id: format!("demo-user-{username}"),
                },
            )
            .await?;
        user_names.insert(username, user.name.clone());
        people.push((username.to_string(), display_name.to_string(), role));
    }

    // The document controller imports the catalogue for the office.
    let controller = sign_in(web, "thu.ky", &password).await?;
    let catalogue = CATALOGUE.replace("units/replace-me", &office.name);
    web.procedures()
        .import_procedures(
            &context(&controller, "/eiso.procedures.v1.ProcedureService/ImportProcedures")?,
            pb::ImportProceduresRequest {
                format: pb::TableFormat::Csv as i32,
                content: catalogue.into_bytes(),
                publish: true,
                validate_only: false,
            },
        )
        .await?;

    // The leader imports the seed's plan, and the same for this year as a sample.
    let leader = sign_in(web, "lanh.dao", &password).await?;
    let this_year = web.clock().now().with_timezone(&TIME_ZONE).year();
    for (year, plan_id, title) in [
        (
            2024,
            "cchc-2024".to_string(),
            "Kế hoạch cải cách hành chính năm 2024".to_string(),
        ),
        (
            this_year,
            format!("cchc-{this_year}-mau"),
            format!("Kế hoạch cải cách hành chính năm {this_year} (mẫu, theo kế hoạch 2024)"),
        ),
    ] {
        if year == 2024 && this_year == 2024 && plan_id.ends_with("-mau") {
            continue;
        }
        web.plans()
            .import_plan(
                &context(&leader, "/eiso.plans.v1.PlanService/ImportPlan")?,
                plans::ImportPlanRequest {
                    plan: Some(plans::Plan {
                        year,
                        issuing_unit: office.name.clone(),
                        title,
                        ..Default::default()
                    }),
                    plan_id,
                    format: plans::TableFormat::Csv as i32,
                    content: PLAN.as_bytes().to_vec(),
                    targets_content: PLAN_TARGETS.as_bytes().to_vec(),
                    ..Default::default()
                },
            )
            .await?;
    }

    let dossiers = dossiers(web, &office.name, &password, &user_names["chuyen.vien"]).await?;
    Ok(Loaded {
        people,
        password,
        dossiers,
    })
}

/// A few dossiers at the counter and on the officer's desk: two new, one in
/// progress, one waiting for a supplement, one finished and returned.
async fn dossiers(web: &Web, agency: &str, password: &str, officer_name: &str) -> ServiceResult<usize> {
    let clerk = sign_in(web, "mot.cua", password).await?;
    let officer = sign_in(web, "chuyen.vien", password).await?;
    let dossiers = web.procedures();
    let method = |name: &str| format!("/eiso.procedures.v1.DossierService/{name}");
    let applicants = [
        ("Nguyễn Văn An", "031204001234", "0912 345 678", "Số 5, phường Đằng Lâm"),
        ("Trần Thị Bình", "031204005678", "0913 111 222", "Số 12, phường Cát Bi"),
        ("Lê Văn Cường", "031204009012", "0904 222 333", "Số 3, phường Đằng Hải"),
        ("Phạm Thị Dung", "031204003456", "0975 444 555", "Số 8, phường Nam Hải"),
        ("Vũ Minh Đức", "031204007890", "0988 666 777", "Số 21, phường Tràng Cát"),
    ];
    let mut received = Vec::new();
    for (i, (name, id_number, phone, address)) in applicants.iter().enumerate() {
        let dossier = dossiers
            .receive_dossier(
                &context(&clerk, &method("ReceiveDossier"))?.with_request_id(&format!("demo-dossier-{i}")),
                pb::ReceiveDossierRequest {
                    agency: agency.into(),
                    procedure: format!("procedures/{TRANSFER}"),
                    applicant: Some(pb::Applicant {
                        full_name: (*name).into(),
                        id_number: (*id_number).into(),
                        phone: (*phone).into(),
                        address: format!("{address}, quận Hải An, Hải Phòng"),
                        email: String::new(),
                        r#type: pb::ApplicantType::Citizen as i32,
                    }),
                    summary: "Xin chuyển trường cho con".into(),
                    channel: if i % 2 == 0 {
                        pb::Channel::Direct
                    } else {
                        pb::Channel::Online
                    } as i32,
                    documents: vec![pb::ReceivedDocument {
                        display_name: "Đơn xin chuyển trường do cha mẹ hoặc người giám hộ ký".into(),
                        copy_kind: pb::CopyKind::Original as i32,
                        sets: 1,
                    }],
                    request_id: format!("demo-dossier-{i}"),
                    dossier_sets: 1,
                },
            )
            .await?;
        received.push(dossier.name);
    }
    // The last three go to the officer: after the intake (step 1, the
    // counter's, recorded at receipt), to step 2.
    for name in &received[2..] {
        dossiers
            .hand_over(
                &context(&clerk, &method("HandOverDossier"))?,
                pb::HandOverDossierRequest {
                    name: name.clone(),
                    step: 1,
                    receiver: officer_name.into(),
                    note: "Hồ sơ đủ thành phần".into(),
                },
            )
            .await?;
    }
    dossiers
        .request_supplement(
            &context(&officer, &method("RequestSupplement"))?,
            pb::RequestSupplementRequest {
                name: received[3].clone(),
                reason: "Thiếu học bạ".into(),
                documents: vec!["Học bạ (bản chính)".into()],
            },
        )
        .await?;
    dossiers
        .complete(
            &context(&officer, &method("CompleteDossier"))?,
            pb::CompleteDossierRequest {
                name: received[4].clone(),
                result_summary: "Đồng ý chuyển trường".into(),
                digitised: true,
            },
        )
        .await?;
    dossiers
        .return_result(
            &context(&clerk, &method("ReturnResult"))?,
            pb::ReturnResultRequest {
                name: received[4].clone(),
            },
        )
        .await?;
    Ok(received.len())
}

/// The principal of demo user `username`, signed in with `password` as
/// anyone signs in.
async fn sign_in(web: &Web, username: &str, password: &str) -> ServiceResult<eiso_platform::Principal> {
    let signed_in = web
        .identity()
        .login(
            id::LoginRequest {
                credentials: Some(id::login_request::Credentials::Password(id::PasswordCredentials {
                    username: username.into(),
                    password: password.into(),
                })),
            },
            None,
        )
        .await?;
    use eiso_platform::gateway::TokenVerifier;
    web.verifier()
        .verify(&signed_in.access_token)
        .await
        .map_err(|status| ServiceError::internal(format!("demo user {username}: {}", status.message())))
}

/// The context of `principal` calling `method`, as the policy table allows
/// it (the service still checks the unit).
fn context(principal: &eiso_platform::Principal, method: &str) -> ServiceResult<CallContext> {
    let roles: Vec<id::Role> = principal.roles().collect();
    if !eiso_platform::policy::allows(method, &roles) {
        return Err(ServiceError::PermissionDenied(format!("roles do not allow {method}")));
    }
    Ok(CallContext {
        method: method.to_string(),
        principal: principal.clone(),
        reason: REASON.to_string(),
        request_id: String::new(),
        token: None,
    })
}

/// The demo people's shared password: 12 letters and digits, easy to type.
fn new_password() -> String {
    let word = eiso_platform::auth::random_code(eiso_platform::auth::READABLE, 12).to_lowercase();
    format!("{}-{}-{}", &word[..4], &word[4..8], &word[8..])
}
