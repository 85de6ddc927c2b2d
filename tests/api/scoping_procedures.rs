//! Unit scoping in the procedures service (issue 17, section 1): a binding at
//! unit U covers U and the units below it, never those above or beside it.
//!
//! The tree: the root ← district D ← {school S1 ← its sub-unit S1a, school
//! S2}. The calendar, procedures and dossiers under test belong to S1; each
//! row of a table is the caller bound, with the method's role, at S1 (the same
//! unit), at D (an ancestor), at S1a (a descendant: staff below acting on the
//! unit above, as the school staff did on the district) and at S2 (a
//! sibling). "Sees but may not change" is a caller who also holds Viewer at
//! D.

use chrono::{DateTime, Utc};
use eiso_platform::clock::Clock;
use eiso_proto::eiso::identity::v1::{Role, RoleBinding, Unit, UpdateUserRequest, User};
use eiso_proto::eiso::procedures::v1::*;
use eiso_tests::counter::primary_transfer_version;
use eiso_tests::values::{local_time, mask};
use eiso_tests::{Backend, TestServer};
use tonic::{Code, Response, Status};

/// Where the caller is bound, relative to S1 (the resources' unit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    /// At S1.
    Same,
    /// At D, the district above S1.
    Ancestor,
    /// At S1a, below S1.
    Descendant,
    /// At S2, beside S1.
    Sibling,
}

use Caller::{Ancestor, Descendant, Same, Sibling};

const CALLERS: [Caller; 4] = [Same, Ancestor, Descendant, Sibling];

/// A change of an existing resource (`authorize`): outside the caller's
/// units nothing of it shows.
const CHANGE: [(Caller, Code); 4] = [
    (Same, Code::Ok),
    (Ancestor, Code::Ok),
    (Descendant, Code::NotFound),
    (Sibling, Code::NotFound),
];
/// A read of a resource that belongs to a unit (`authorize` of a read).
const READ: [(Caller, Code); 4] = CHANGE;
/// A write that creates in a unit, or a request naming a unit (`require`).
const CREATE: [(Caller, Code); 4] = [
    (Same, Code::Ok),
    (Ancestor, Code::Ok),
    (Descendant, Code::PermissionDenied),
    (Sibling, Code::PermissionDenied),
];
/// A change of public information (a calendar, a procedure): the caller
/// sees it, so outside its units the answer is PERMISSION_DENIED.
const PUBLIC_CHANGE: [(Caller, Code); 4] = CREATE;
/// Public information: calendars and the catalogue.
const OPEN: [(Caller, Code); 4] = [
    (Same, Code::Ok),
    (Ancestor, Code::Ok),
    (Descendant, Code::Ok),
    (Sibling, Code::Ok),
];

struct Tree {
    d: Unit,
    s1: Unit,
    s1a: Unit,
    s2: Unit,
}

impl Tree {
    async fn build(server: &TestServer) -> Self {
        let root = server.root_unit().await;
        let d = server.create_unit("PGD", "Phòng Giáo dục và Đào tạo", &root.name).await;
        let s1 = server.create_unit("TH1", "Trường Tiểu học số 1", &d.name).await;
        let s1a = server.create_unit("TH1-B", "Điểm trường B", &s1.name).await;
        let s2 = server.create_unit("TH2", "Trường Tiểu học số 2", &d.name).await;
        Self { d, s1, s1a, s2 }
    }

    fn unit(&self, caller: Caller) -> &str {
        match caller {
            Same => &self.s1.name,
            Ancestor => &self.d.name,
            Descendant => &self.s1a.name,
            Sibling => &self.s2.name,
        }
    }

    /// A user with `role` bound where `caller` says, and its token.
    async fn user(&self, server: &TestServer, prefix: &str, role: Role, caller: Caller) -> (User, String) {
        let username = format!("{prefix}.{caller:?}").to_lowercase();
        server.user_with_role(&username, role, self.unit(caller)).await
    }

    /// One user with `role` per relation.
    async fn users(&self, server: &TestServer, prefix: &str, role: Role) -> Vec<(Caller, String)> {
        let mut users = Vec::new();
        for caller in CALLERS {
            users.push((caller, self.user(server, prefix, role, caller).await.1));
        }
        users
    }
}

/// Adds Viewer at `unit` to `user` and returns a fresh token.
async fn add_viewer(server: &TestServer, user: &User, unit: &str) -> String {
    let mut bindings = user.role_bindings.clone();
    bindings.push(RoleBinding {
        role: Role::Viewer as i32,
        unit: unit.to_string(),
    });
    server
        .admin()
        .update_user(UpdateUserRequest {
            user: Some(User {
                role_bindings: bindings,
                ..user.clone()
            }),
            update_mask: mask(&["role_bindings"]),
            etag: String::new(),
        })
        .await
        .unwrap();
    server
        .login(&user.username, &format!("{}-password", user.username))
        .await
        .unwrap()
}

fn code<T>(result: Result<Response<T>, Status>) -> Code {
    match result {
        Ok(_) => Code::Ok,
        Err(status) => status.code(),
    }
}

fn expect(table: &[(Caller, Code)], caller: Caller) -> Code {
    table.iter().find(|(c, _)| *c == caller).map(|(_, code)| *code).unwrap()
}

/// Monday 10 March 2025, 08:00 local (UTC+7).
fn monday_morning() -> DateTime<Utc> {
    local_time(2025, 3, 10, 8, 0)
}

fn content(agency: &str) -> ProcedureVersion {
    ProcedureVersion {
        steps: vec![
            ProcedureStep {
                display_name: "Tiếp nhận".into(),
                handler: "Một cửa".into(),
                working_hours: 8,
            },
            ProcedureStep {
                display_name: "Ký duyệt".into(),
                handler: "Hiệu trưởng".into(),
                working_hours: 16,
            },
        ],
        ..primary_transfer_version(agency)
    }
}

/// Creates and publishes procedure `code` at `agency` as `token`.
async fn published(server: &TestServer, token: &str, code: &str, agency: &str) -> Procedure {
    server.publish_procedure(token, code, content(agency)).await
}

fn receive(agency: &str, procedure: &str) -> ReceiveDossierRequest {
    ReceiveDossierRequest {
        agency: agency.into(),
        procedure: procedure.into(),
        applicant: Some(Applicant {
            full_name: "Nguyễn Thị Hoa".into(),
            id_number: "031204009999".into(),
            phone: "0912 000 111".into(),
            address: "Số 9, phường Đằng Lâm".into(),
            email: String::new(),
            r#type: eiso_proto::eiso::procedures::v1::ApplicantType::Citizen as i32,
        }),
        summary: "Xin chuyển trường cho con".into(),
        channel: Channel::Direct as i32,
        documents: vec![],
        request_id: String::new(),
        dossier_sets: 1,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calendars_are_changed_only_from_their_agency_or_above() {
    let server = TestServer::start().await;
    let tree = Tree::build(&server).await;
    let calendar = format!("calendars/{}", tree.s1.name.trim_start_matches("units/"));
    let admins = tree.users(&server, "quan.tri", Role::Admin).await;

    for (caller, token) in &admins {
        let mut calendars = server.calendars(token);
        let open = expect(&OPEN, *caller);
        let got = code(
            calendars
                .get_calendar(GetCalendarRequest { name: calendar.clone() })
                .await,
        );
        assert_eq!(got, open, "GetCalendar, caller {caller:?}");
        let got = code(
            calendars
                .list_calendar_years(ListCalendarYearsRequest {
                    parent: calendar.clone(),
                })
                .await,
        );
        assert_eq!(got, open, "ListCalendarYears, caller {caller:?}");

        // Saturday becomes a working day: every dossier's deadline moves.
        let got = code(
            calendars
                .update_calendar(UpdateCalendarRequest {
                    calendar: Some(Calendar {
                        name: calendar.clone(),
                        working_days: [1, 2, 3, 4, 5, 6].into(),
                        ..Default::default()
                    }),
                    update_mask: mask(&["working_days"]),
                    etag: String::new(),
                })
                .await,
        );
        assert_eq!(
            got,
            expect(&PUBLIC_CHANGE, *caller),
            "UpdateCalendar, caller {caller:?}"
        );

        let year = format!("{calendar}/years/2027");
        let got = code(
            calendars
                .propose_calendar_year(ProposeCalendarYearRequest { name: year.clone() })
                .await,
        );
        assert_eq!(
            got,
            expect(&PUBLIC_CHANGE, *caller),
            "ProposeCalendarYear, caller {caller:?}"
        );
        let got = code(
            calendars
                .update_calendar_year(UpdateCalendarYearRequest {
                    year: Some(CalendarYear {
                        name: year.clone(),
                        ..Default::default()
                    }),
                    etag: String::new(),
                })
                .await,
        );
        assert_eq!(
            got,
            expect(&PUBLIC_CHANGE, *caller),
            "UpdateCalendarYear, caller {caller:?}"
        );
    }

    // The case: a school's admin changing the district's calendar.
    let district = format!("calendars/{}", tree.d.name.trim_start_matches("units/"));
    let (_, school_admin) = admins.iter().find(|(c, _)| *c == Same).unwrap();
    let status = server
        .calendars(school_admin)
        .update_calendar(UpdateCalendarRequest {
            calendar: Some(Calendar {
                name: district.clone(),
                working_days: [1, 2, 3, 4, 5, 6].into(),
                ..Default::default()
            }),
            update_mask: mask(&["working_days"]),
            etag: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    let unchanged = server
        .calendars(school_admin)
        .get_calendar(GetCalendarRequest { name: district })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        unchanged.working_days,
        [1, 2, 3, 4, 5],
        "the district's week is untouched"
    );

    // Seen (a viewer at the district) but not changeable: denied, not hidden.
    let (sibling, _) = tree.user(&server, "quan.tri.xem", Role::Admin, Sibling).await;
    let token = add_viewer(&server, &sibling, &tree.d.name).await;
    let status = server
        .calendars(&token)
        .update_calendar(UpdateCalendarRequest {
            calendar: Some(Calendar {
                name: calendar,
                working_days: [1, 2, 3, 4, 5].into(),
                ..Default::default()
            }),
            update_mask: mask(&["working_days"]),
            etag: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_catalogue_is_changed_only_within_the_procedures_agency() {
    let server = TestServer::start().await;
    let tree = Tree::build(&server).await;
    let (_, owner) = tree.user(&server, "thu.ky", Role::DocumentController, Same).await;
    let editors = tree.users(&server, "bien.tap", Role::DocumentController).await;

    for (i, (caller, token)) in editors.iter().enumerate() {
        let caller = *caller;
        let mut catalogue = server.catalogue(token);
        // Creating a procedure for S1.
        let got = code(
            catalogue
                .create_procedure(CreateProcedureRequest {
                    code: format!("1.10000{i}"),
                    version: Some(content(&tree.s1.name)),
                    request_id: String::new(),
                })
                .await,
        );
        assert_eq!(got, expect(&CREATE, caller), "CreateProcedure, caller {caller:?}");

        // S1's procedures, one per caller so that each attempt starts alike.
        let withdrawn = published(&server, &owner, &format!("2.20000{i}"), &tree.s1.name).await;
        let versioned = published(&server, &owner, &format!("3.30000{i}"), &tree.s1.name).await;
        let got = code(
            catalogue
                .get_procedure(GetProcedureRequest {
                    name: withdrawn.name.clone(),
                })
                .await,
        );
        assert_eq!(got, expect(&OPEN, caller), "GetProcedure, caller {caller:?}");
        let got = code(
            catalogue
                .withdraw_procedure(WithdrawProcedureRequest {
                    name: withdrawn.name.clone(),
                    reason: "Bãi bỏ".into(),
                })
                .await,
        );
        assert_eq!(
            got,
            expect(&PUBLIC_CHANGE, caller),
            "WithdrawProcedure, caller {caller:?}"
        );
        let got = code(
            catalogue
                .create_procedure_version(CreateProcedureVersionRequest {
                    parent: versioned.name.clone(),
                })
                .await,
        );
        assert_eq!(
            got,
            expect(&PUBLIC_CHANGE, caller),
            "CreateProcedureVersion, caller {caller:?}"
        );
        // The owner drafts one; the caller edits and publishes it.
        let draft = format!("{}/versions/2", versioned.name);
        if caller == Descendant || caller == Sibling {
            server
                .catalogue(&owner)
                .create_procedure_version(CreateProcedureVersionRequest {
                    parent: versioned.name.clone(),
                })
                .await
                .unwrap();
        }
        let got = code(
            catalogue
                .update_procedure_version(UpdateProcedureVersionRequest {
                    version: Some(ProcedureVersion {
                        name: draft.clone(),
                        ..content(&tree.s1.name)
                    }),
                    etag: String::new(),
                })
                .await,
        );
        assert_eq!(
            got,
            expect(&PUBLIC_CHANGE, caller),
            "UpdateProcedureVersion, caller {caller:?}"
        );
        let got = code(
            catalogue
                .publish_procedure_version(PublishProcedureVersionRequest { name: draft.clone() })
                .await,
        );
        assert_eq!(
            got,
            expect(&PUBLIC_CHANGE, caller),
            "PublishProcedureVersion, caller {caller:?}"
        );
    }

    // Moving a procedure: the role is needed where it goes, too.
    let (_, school) = editors.iter().find(|(c, _)| *c == Same).unwrap();
    let (_, district) = editors.iter().find(|(c, _)| *c == Ancestor).unwrap();
    let moved = published(&server, &owner, "4.400000", &tree.s1.name).await;
    let draft = server
        .catalogue(school)
        .create_procedure_version(CreateProcedureVersionRequest {
            parent: moved.name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    let to = |agency: &str| UpdateProcedureVersionRequest {
        version: Some(ProcedureVersion {
            name: draft.name.clone(),
            ..content(agency)
        }),
        etag: String::new(),
    };
    let status = server
        .catalogue(school)
        .update_procedure_version(to(&tree.d.name))
        .await
        .unwrap_err();
    assert_eq!(
        status.code(),
        Code::PermissionDenied,
        "a school moving its procedure up to the district"
    );
    assert!(status.message().contains("version.agency"), "{}", status.message());
    server
        .catalogue(district)
        .update_procedure_version(to(&tree.s2.name))
        .await
        .unwrap();

    // Seen (a viewer at the district) but not changeable: denied, not hidden.
    let (sibling, _) = tree
        .user(&server, "bien.tap.xem", Role::DocumentController, Sibling)
        .await;
    let token = add_viewer(&server, &sibling, &tree.d.name).await;
    let target = published(&server, &owner, "5.500000", &tree.s1.name).await;
    let status = server
        .catalogue(&token)
        .withdraw_procedure(WithdrawProcedureRequest {
            name: target.name.clone(),
            reason: "Bãi bỏ".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalogue_rows_are_imported_only_for_the_callers_agencies() {
    let server = TestServer::start().await;
    let tree = Tree::build(&server).await;
    let (_, owner) = tree.user(&server, "thu.ky", Role::DocumentController, Same).await;
    // An existing S1 procedure, re-imported with new content by each caller.
    published(&server, &owner, "2.002481", &tree.s1.name).await;
    let header = include_str!("../../services/procedures/samples/thu-tuc-giao-duc.csv")
        .lines()
        .next()
        .unwrap()
        .to_string();
    let editors = tree.users(&server, "bien.tap", Role::DocumentController).await;
    for (i, (caller, token)) in editors.iter().enumerate() {
        let caller = *caller;
        let csv = format!(
            "{header}\n\
             9.90000{i},Thủ tục mới,Giáo dục tiểu học,Cấp xã,{s1},5 ngày làm việc,,,,,,,\n\
             2.002481,Chuyển trường (sửa {i}),Giáo dục tiểu học,Cấp xã,{s1},5 ngày làm việc,,,,,,,\n",
            s1 = tree.s1.name
        );
        let result = server
            .catalogue(token)
            .import_procedures(ImportProceduresRequest {
                format: TableFormat::Csv as i32,
                content: csv.into_bytes(),
                publish: false,
                validate_only: false,
            })
            .await
            .unwrap()
            .into_inner();
        let errors: Vec<(i32, &str)> = result.errors.iter().map(|e| (e.row, e.column.as_str())).collect();
        if expect(&CREATE, caller) == Code::Ok {
            assert!(errors.is_empty(), "caller {caller:?}: {:?}", result.errors);
            assert_eq!((result.created, result.versioned), (1, 1), "caller {caller:?}");
        } else {
            // Both rows refused on the agency column, neither imported.
            assert_eq!(
                errors,
                [(2, "Cơ quan thực hiện"), (3, "Cơ quan thực hiện")],
                "caller {caller:?}: {:?}",
                result.errors
            );
            assert_eq!((result.created, result.versioned), (0, 0), "caller {caller:?}");
            let status = server
                .catalogue(token)
                .get_procedure(GetProcedureRequest {
                    name: format!("procedures/9.90000{i}"),
                })
                .await
                .unwrap_err();
            assert_eq!(status.code(), Code::NotFound, "caller {caller:?}: not imported");
        }
    }

    // The case: school staff importing rows for the district.
    let (_, school) = editors.iter().find(|(c, _)| *c == Same).unwrap();
    let csv = format!(
        "{header}\n8.800000,Thủ tục của phòng,Giáo dục,Cấp huyện,{},5 ngày làm việc,,,,,,,\n",
        tree.d.name
    );
    let result = server
        .catalogue(school)
        .import_procedures(ImportProceduresRequest {
            format: TableFormat::Csv as i32,
            content: csv.into_bytes(),
            publish: true,
            validate_only: true,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(result.created, 0);
    assert_eq!(result.errors.len(), 1, "{:?}", result.errors);
    assert_eq!(
        (result.errors[0].row, result.errors[0].column.as_str()),
        (2, "Cơ quan thực hiện")
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dossiers_and_their_applicants_stay_within_the_agencys_units() {
    let (clock, time) = Clock::manual(monday_morning());
    let server = TestServer::start_with_clock(Backend::fresh().await, clock.clone()).await;
    let tree = Tree::build(&server).await;
    let (_, editor) = tree.user(&server, "thu.ky", Role::DocumentController, Same).await;
    let procedure = published(&server, &editor, "2.002481", &tree.s1.name).await;
    let (_, clerk) = tree.user(&server, "mot.cua", Role::CounterStaff, Same).await;
    let counters = tree.users(&server, "quay", Role::CounterStaff).await;
    let viewers = tree.users(&server, "xem", Role::Viewer).await;
    let dossier = server
        .dossiers(&clerk)
        .receive_dossier(receive(&tree.s1.name, &procedure.name))
        .await
        .unwrap()
        .into_inner();
    assert!(dossier.applicant.is_some());

    for (caller, token) in &counters {
        let caller = *caller;
        let mut dossiers = server.dossiers(token);
        // Receiving for S1 (the issue: a school's clerk receiving for the district).
        let got = code(dossiers.receive_dossier(receive(&tree.s1.name, &procedure.name)).await);
        assert_eq!(got, expect(&CREATE, caller), "ReceiveDossier, caller {caller:?}");
        let got = code(
            dossiers
                .refuse_dossier(RefuseDossierRequest {
                    agency: tree.s1.name.clone(),
                    procedure: procedure.name.clone(),
                    applicant: receive("", "").applicant,
                    reason: "Thiếu giấy tờ".into(),
                    request_id: String::new(),
                })
                .await,
        );
        assert_eq!(got, expect(&CREATE, caller), "RefuseDossier, caller {caller:?}");

        // Reading it, with the applicant's data, by Get and by the receipt.
        let got = dossiers
            .get_dossier(GetDossierRequest {
                name: dossier.name.clone(),
            })
            .await
            .map(Response::into_inner);
        match (got, expect(&READ, caller)) {
            (Ok(got), Code::Ok) => assert!(got.applicant.is_some(), "caller {caller:?}"),
            (Err(status), expected) => assert_eq!(status.code(), expected, "GetDossier, caller {caller:?}"),
            (Ok(_), expected) => panic!("GetDossier, caller {caller:?}: expected {expected:?}"),
        }
        let got = dossiers
            .render_form(RenderFormRequest {
                form: Form::Receipt as i32,
                dossier: dossier.name.clone(),
                ..Default::default()
            })
            .await
            .map(Response::into_inner);
        match (got, expect(&READ, caller)) {
            (Ok(got), Code::Ok) => assert!(got.html.contains("031204009999"), "caller {caller:?}"),
            (Err(status), expected) => {
                assert_eq!(status.code(), expected, "RenderForm, caller {caller:?}");
                assert!(!status.message().contains("Hoa"), "{}", status.message());
            }
            (Ok(_), expected) => panic!("RenderForm, caller {caller:?}: expected {expected:?}"),
        }
        let listed = dossiers
            .list_dossiers(ListDossiersRequest::default())
            .await
            .unwrap()
            .into_inner()
            .dossiers;
        let sees = expect(&READ, caller) == Code::Ok;
        assert_eq!(
            listed.iter().any(|d| d.name == dossier.name),
            sees,
            "ListDossiers, caller {caller:?}"
        );

        // A state change, on a fresh dossier each time; outside, nothing of
        // the dossier shows, whatever its state.
        let fresh = server
            .dossiers(&clerk)
            .receive_dossier(receive(&tree.s1.name, &procedure.name))
            .await
            .unwrap()
            .into_inner();
        let withdraw = || WithdrawDossierRequest {
            name: fresh.name.clone(),
            reason: "Công dân rút hồ sơ".into(),
        };
        let got = code(dossiers.withdraw_dossier(withdraw()).await);
        assert_eq!(got, expect(&CHANGE, caller), "WithdrawDossier, caller {caller:?}");
        let again = code(dossiers.withdraw_dossier(withdraw()).await);
        let expected = match expect(&CHANGE, caller) {
            Code::Ok => Code::FailedPrecondition,
            outside => outside,
        };
        assert_eq!(again, expected, "WithdrawDossier of a withdrawn one, caller {caller:?}");

        // Statistics: of S1 by name, and of the caller's own units.
        let period = |agency: &str| GetServiceStatisticsRequest {
            agency: agency.into(),
            procedure: String::new(),
            start_date: Some(LocalDate {
                year: 2025,
                month: 1,
                day: 1,
            }),
            end_date: Some(LocalDate {
                year: 2025,
                month: 12,
                day: 31,
            }),
            group_by: 0,
        };
        let got = code(dossiers.get_service_statistics(period(&tree.s1.name)).await);
        assert_eq!(
            got,
            expect(&CREATE, caller),
            "GetServiceStatistics of S1, caller {caller:?}"
        );
        let own = dossiers.get_service_statistics(period("")).await.unwrap().into_inner();
        assert_eq!(own.received > 0, sees, "GetServiceStatistics of all, caller {caller:?}");
        // Grouped by agency or procedure: S1's dossiers only where S1 is
        // covered. (A minute on: the period figures are as at now, and count
        // what was received before it.)
        time.set(clock.now() + chrono::Duration::minutes(1));
        for (by, key) in [(1, tree.s1.name.clone()), (2, procedure.name.clone())] {
            let grouped = dossiers
                .get_service_statistics(GetServiceStatisticsRequest {
                    group_by: by,
                    ..period("")
                })
                .await
                .unwrap()
                .into_inner();
            assert_eq!(
                grouped.groups.iter().any(|g| g.key == key),
                sees,
                "GetServiceStatistics grouped ({by}), caller {caller:?}: {:?}",
                grouped.groups
            );
        }
    }

    // A viewer reads the dossiers of its units, without the applicant's data.
    for (caller, token) in &viewers {
        let got = server
            .dossiers(token)
            .get_dossier(GetDossierRequest {
                name: dossier.name.clone(),
            })
            .await
            .map(Response::into_inner);
        match (got, expect(&READ, *caller)) {
            (Ok(got), Code::Ok) => assert!(got.applicant.is_none(), "viewer {caller:?}"),
            (Err(status), expected) => assert_eq!(status.code(), expected, "GetDossier by a viewer, {caller:?}"),
            (Ok(_), expected) => panic!("GetDossier by a viewer, {caller:?}: expected {expected:?}"),
        }
    }

    // A clerk at S2 who also views the district sees the dossier, but not
    // its applicant: its counter role does not reach S1. Changing it is
    // denied rather than hidden; the receipt stays out of reach.
    let (clerk2, _) = tree.user(&server, "quay.xem", Role::CounterStaff, Sibling).await;
    let token = add_viewer(&server, &clerk2, &tree.d.name).await;
    let mut dossiers = server.dossiers(&token);
    let seen = dossiers
        .get_dossier(GetDossierRequest {
            name: dossier.name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        seen.applicant.is_none(),
        "personal data only within the counter's units"
    );
    let status = dossiers
        .withdraw_dossier(WithdrawDossierRequest {
            name: dossier.name.clone(),
            reason: "Rút".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    let status = dossiers
        .render_form(RenderFormRequest {
            form: Form::Receipt as i32,
            dossier: dossier.name.clone(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    let listed = dossiers
        .list_dossiers(ListDossiersRequest::default())
        .await
        .unwrap()
        .into_inner()
        .dossiers;
    assert!(listed.iter().any(|d| d.name == dossier.name));
    assert!(listed.iter().all(|d| d.applicant.is_none()));

    // The register (every applicant of a year) only for a covered agency.
    for (caller, token) in &counters {
        let got = code(
            server
                .dossiers(token)
                .render_form(RenderFormRequest {
                    form: Form::Register as i32,
                    agency: tree.s1.name.clone(),
                    year: 2025,
                    ..Default::default()
                })
                .await,
        );
        assert_eq!(got, expect(&CREATE, *caller), "RenderForm register, caller {caller:?}");
    }

    // The event stream carries every unit's events: the role at a root unit.
    let (_, district_admin) = tree.user(&server, "quan.tri", Role::Admin, Ancestor).await;
    let status = server
        .catalogue(&district_admin)
        .watch_events(WatchEventsRequest { after_sequence: 0 })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    server
        .catalogue(&server.admin_token)
        .watch_events(WatchEventsRequest { after_sequence: 0 })
        .await
        .unwrap();
    server.stop().await;
}
