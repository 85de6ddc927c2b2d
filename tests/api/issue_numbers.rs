//! AllocateIssueNumber: a number taken in a unit's register of issued
//! documents over the API, for a service that issues documents in another
//! process. The register is the one the plans' reports number from: 1, 2, 3
//! each year and unit, a number never given twice. The caller's binding must
//! cover the unit (same unit and the units above it; never below or beside).
//!
//! The tree: the root ← D ← {S1 ← S1a, S2}; the register under test is S1's.

use chrono::{DateTime, Utc};
use eiso_platform::clock::Clock;
use eiso_proto::eiso::documents::v1::{AllocateIssueNumberRequest, IssueNumber};
use eiso_proto::eiso::identity::v1::Role;
use eiso_tests::plans::{create_plan, quarterly_report, reform_plan};
use eiso_tests::values::{bad_field, local_time};
use eiso_tests::{Backend, TestServer};
use tonic::Code;

fn at(year: i32, month: u32, day: u32) -> DateTime<Utc> {
    local_time(year, month, day, 9, 0)
}

async fn allocate(server: &TestServer, token: &str, unit: &str, year: i32) -> Result<IssueNumber, tonic::Status> {
    server
        .documents(token)
        .allocate_issue_number(AllocateIssueNumberRequest {
            unit: unit.into(),
            year,
        })
        .await
        .map(|answer| answer.into_inner())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_numbers_go_one_by_one_per_unit_and_year_within_the_callers_units() {
    let (clock, _time) = Clock::manual(at(2024, 4, 1));
    let server = TestServer::start_with_clock(Backend::fresh().await, clock).await;
    let root = server.root_unit().await;
    let d = server.create_unit("PGD", "Phòng Giáo dục và Đào tạo", &root.name).await;
    let s1 = server.create_unit("TH1", "Trường Tiểu học số 1", &d.name).await;
    let s1a = server.create_unit("TH1-B", "Điểm trường B", &s1.name).await;
    let s2 = server.create_unit("TH2", "Trường Tiểu học số 2", &d.name).await;

    // One leader bound at each unit around S1, refusals first: a refused
    // call takes no number.
    let rows = [
        ("descendant", &s1a, false),
        ("sibling", &s2, false),
        ("same", &s1, true),
        ("ancestor", &d, true),
    ];
    let mut expected = 0;
    for (relation, unit, allowed) in rows {
        let (_, token) = server
            .user_with_role(&format!("lanh.dao.{relation}"), Role::Leader, &unit.name)
            .await;
        let answer = allocate(&server, &token, &s1.name, 2024).await;
        if !allowed {
            let status = answer.expect_err(relation);
            assert_eq!(status.code(), Code::PermissionDenied, "{relation}: {status:?}");
            assert!(status.message().contains(&s1.name), "{relation}: {}", status.message());
            continue;
        }
        // Numbers 1, 2, 3 for the first allowed caller, then 4.
        let mut answers = vec![answer];
        if expected == 0 {
            answers.push(allocate(&server, &token, &s1.name, 2024).await);
            answers.push(allocate(&server, &token, &s1.name, 2024).await);
        }
        for answer in answers {
            expected += 1;
            let number = answer.expect(relation);
            assert_eq!(
                (number.number, number.name),
                (expected, format!("{}/issueNumbers/2024/{expected}", s1.name)),
                "{relation}"
            );
        }
    }

    // A role the method's row does not grant, even at S1.
    let (_, viewer) = server.user_with_role("xem", Role::Viewer, &s1.name).await;
    let status = allocate(&server, &viewer, &s1.name, 2024).await.expect_err("a viewer");
    assert_eq!(status.code(), Code::PermissionDenied, "{status:?}");

    // Another year starts at 1; another unit keeps its own register.
    let (_, leader) = server.user_with_role("lanh.dao", Role::Leader, &s1.name).await;
    assert_eq!(allocate(&server, &leader, &s1.name, 2025).await.unwrap().number, 1);
    assert_eq!(allocate(&server, &leader, &s1.name, 2025).await.unwrap().number, 2);
    assert_eq!(allocate(&server, &leader, &s1a.name, 2024).await.unwrap().number, 1);

    // The reports number from the same register: S1's first quarterly
    // report of 2024 comes after the four numbers taken, and the next number
    // after it.
    let mut plans = server.plans(&leader);
    let plan = create_plan(&mut plans, reform_plan(&s1.name, 2024)).await;
    let report = plans
        .generate_report(quarterly_report(&plan.name, 1))
        .await
        .expect("the report")
        .into_inner();
    assert_eq!(report.document_number, "05/BC");
    assert_eq!(allocate(&server, &leader, &s1.name, 2024).await.unwrap().number, 6);

    // Bad input names the field.
    let cases: [(&str, i32, &str); 7] = [
        ("", 2024, "unit"),
        ("TH1", 2024, "unit"),
        ("plans/x", 2024, "unit"),
        ("units/khong-co", 2024, "unit"),
        (s1.name.as_str(), 0, "year"),
        (s1.name.as_str(), 1899, "year"),
        (s1.name.as_str(), 10_000, "year"),
    ];
    for (unit, year, field) in cases {
        let status = allocate(&server, &leader, unit, year).await.expect_err(field);
        assert_eq!(bad_field(&status), field, "{unit} {year}: {status:?}");
        assert!(status.message().contains(field), "{}", status.message());
    }
    // None of them took a number.
    assert_eq!(allocate(&server, &leader, &s1.name, 2024).await.unwrap().number, 7);
    server.stop().await;
}
