//! The organisation tree: rename keeps history, merge and dissolve record a
//! successor and hand over children and role bindings; lists filter and page.

use eiso_proto::eiso::identity::v1::*;
use eiso_tests::TestServer;
use eiso_tests::values::mask;

#[tokio::test]
async fn reorganisation_keeps_history_and_hands_over() {
    let server = TestServer::start().await;
    let mut admin = server.admin();
    let province = server.create_unit("31", "Thành phố Hải Phòng", "").await;
    let district = server.create_unit("31-HAIAN", "Quận Hải An", &province.name).await;
    let office = server
        .create_unit("31-HAIAN-GDDT", "Phòng Giáo dục và Đào tạo quận Hải An", &district.name)
        .await;
    let ward = server
        .create_unit("31-DANGLAM", "Phường Đằng Lâm", &province.name)
        .await;
    let school = server
        .create_unit("31-HAIAN-TH1", "Trường Tiểu học Cát Bi", &district.name)
        .await;
    let (officer, _) = server
        .user_with_role("officer", Role::ProcessingOfficer, &office.name)
        .await;

    // 1 July 2025: the district is gone; the ward takes over its units.
    let merged = admin
        .merge_units(MergeUnitsRequest {
            sources: vec![district.name.clone()],
            successor: ward.name.clone(),
            reason: "Nghị quyết sắp xếp đơn vị hành chính 2025".into(),
        })
        .await
        .unwrap()
        .into_inner();
    let gone = &merged.sources[0];
    assert_eq!(gone.state, unit::State::Merged as i32);
    assert_eq!(gone.successor, ward.name);
    for child in [&office, &school] {
        let now = admin
            .get_unit(GetUnitRequest {
                name: child.name.clone(),
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(now.parent, ward.name, "{} moved under the successor", now.code);
    }

    // The office is renamed: the former name stays on record.
    let renamed = admin
        .rename_unit(RenameUnitRequest {
            name: office.name.clone(),
            display_name: "Phòng Văn hóa - Xã hội phường Đằng Lâm".into(),
            code: "31-DANGLAM-VHXH".into(),
            reason: "Nghị định 142/2025/NĐ-CP".into(),
            etag: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(renamed.former_names.len(), 1);
    assert_eq!(renamed.former_names[0].code, "31-HAIAN-GDDT");
    assert_eq!(
        renamed.former_names[0].display_name,
        "Phòng Giáo dục và Đào tạo quận Hải An"
    );

    // The office is dissolved into the ward: the officer's role follows.
    let dissolved = admin
        .dissolve_unit(DissolveUnitRequest {
            name: office.name.clone(),
            successor: ward.name.clone(),
            reason: "sáp nhập".into(),
            etag: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(dissolved.state, unit::State::Dissolved as i32);
    let officer = admin
        .get_user(GetUserRequest {
            name: officer.name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        officer.role_bindings,
        vec![RoleBinding {
            role: Role::ProcessingOfficer as i32,
            unit: ward.name.clone()
        }]
    );

    // A merged unit takes no new children and cannot be merged again.
    let status = admin
        .create_unit(CreateUnitRequest {
            unit: Some(Unit {
                code: "NEW".into(),
                display_name: "Mới".into(),
                kind: 4,
                parent: district.name.clone(),
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::FailedPrecondition);
    let status = admin
        .merge_units(MergeUnitsRequest {
            sources: vec![district.name.clone()],
            successor: ward.name.clone(),
            reason: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::FailedPrecondition);

    // Lists filter on state and parent.
    let active_children = admin
        .list_units(ListUnitsRequest {
            filter: format!("parent = \"{}\" AND state = STATE_ACTIVE", ward.name),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .units;
    let codes: Vec<_> = active_children.iter().map(|u| u.code.as_str()).collect();
    assert_eq!(codes, ["31-HAIAN-TH1"]);
    server.stop().await;
}

#[tokio::test]
async fn a_unit_cannot_become_its_own_ancestor() {
    let server = TestServer::start().await;
    let a = server.create_unit("A", "A", "").await;
    let b = server.create_unit("B", "B", &a.name).await;
    let status = server
        .admin()
        .update_unit(UpdateUnitRequest {
            unit: Some(Unit {
                parent: b.name.clone(),
                ..a.clone()
            }),
            update_mask: mask(&["parent"]),
            etag: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    server.stop().await;
}

#[tokio::test]
async fn lists_page_through_everything_once() {
    let server = TestServer::start().await;
    for i in 0..23 {
        server
            .create_unit(&format!("S{i:02}"), &format!("Trường {i}"), "")
            .await;
    }
    let mut codes = Vec::new();
    let mut token = String::new();
    loop {
        let page = server
            .admin()
            .list_units(ListUnitsRequest {
                page_size: 5,
                page_token: token.clone(),
                order_by: "code desc".into(),
                filter: "kind = UNIT_KIND_OFFICE".into(),
            })
            .await
            .unwrap()
            .into_inner();
        codes.extend(page.units.into_iter().map(|u| u.code));
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    let mut expected: Vec<String> = (0..23).map(|i| format!("S{i:02}")).collect();
    expected.reverse();
    assert_eq!(codes, expected);
    server.stop().await;
}

/// Where a unit's documents are dated (địa danh): its own place name, or
/// the nearest unit's above it; printed before the date of a form.
#[tokio::test]
async fn a_unit_dates_its_documents_at_its_place_or_the_one_above() {
    use eiso_proto::eiso::procedures::v1 as procs;
    let server = TestServer::start().await;
    let root = server.root_unit().await;
    let mut admin = server.admin();
    let office = admin
        .create_unit(CreateUnitRequest {
            unit: Some(Unit {
                code: "PGD".into(),
                display_name: "Phòng Giáo dục và Đào tạo quận Hải An".into(),
                kind: UnitKind::Office as i32,
                parent: root.name.clone(),
                place_name: " Hải An ".into(),
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(office.place_name, "Hải An");
    let school = server
        .create_unit("THCS-DL", "Trường THCS Đằng Lâm", &office.name)
        .await;
    assert_eq!(school.place_name, "", "its own is empty: it takes the office's");
    let (_, controller) = server
        .user_with_role("thu.ky", Role::DocumentController, &office.name)
        .await;
    server.transfer_procedure(&controller, &office.name).await;
    let (_, counter_token) = server.user_with_role("mot.cua", Role::CounterStaff, &office.name).await;
    let mut counter = server.dossiers(&counter_token);
    let dossier = counter
        .receive_dossier(eiso_tests::counter::transfer_receipt(
            &school.name,
            "Nguyễn Văn An",
            procs::Channel::Direct,
        ))
        .await
        .unwrap()
        .into_inner();
    let receipt = || procs::RenderFormRequest {
        form: procs::Form::Receipt as i32,
        dossier: dossier.name.clone(),
        ..Default::default()
    };
    let html = counter.render_form(receipt()).await.unwrap().into_inner().html;
    assert!(html.contains("Hải An, ngày "), "the school takes the office's place");
    // The school's own place name wins; an empty one goes back to the office's.
    for (place, printed) in [("Đằng Lâm", "Đằng Lâm, ngày "), ("", "Hải An, ngày ")] {
        admin
            .update_unit(UpdateUnitRequest {
                unit: Some(Unit {
                    name: school.name.clone(),
                    place_name: place.into(),
                    ..Default::default()
                }),
                update_mask: mask(&["place_name"]),
                etag: String::new(),
            })
            .await
            .unwrap();
        let html = counter.render_form(receipt()).await.unwrap().into_inner().html;
        assert!(html.contains(printed), "{place:?}: {html}");
    }
    server.stop().await;
}
