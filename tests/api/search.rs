//! Search through the server: fed by the real services' event streams,
//! filtered by what each caller may see, fresh within two seconds of a
//! change under steady writes, and rebuilt on request.

use std::time::{Duration, Instant};

use eiso_proto::eiso::documents::v1::*;
use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::procedures::v1::*;
use eiso_proto::eiso::search::v1::*;
use eiso_tests::counter::Office;
use eiso_tests::documents::{create, procedure};
use eiso_tests::search::wait_caught_up;
use eiso_tests::{ADMIN_PASSWORD, Documents, SearchClient, TestServer};
use tonic::Code;

async fn create_document(
    client: &mut Documents,
    unit: &str,
    code: &str,
    title: &str,
    confidentiality: Confidentiality,
) -> Document {
    client
        .create_document(create(procedure(code, title, unit, confidentiality)))
        .await
        .unwrap()
        .into_inner()
}

async fn search(client: &mut SearchClient, query: &str) -> SearchResponse {
    client
        .search(SearchRequest {
            query: query.into(),
            page_size: 50,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
}

fn names(response: &SearchResponse) -> Vec<String> {
    let mut names: Vec<String> = response.results.iter().map(|r| r.name.clone()).collect();
    names.sort();
    names
}

/// Waits until every stream is indexed to its head.
pub async fn caught_up(client: &mut SearchClient) -> IndexStatus {
    wait_caught_up(client, Duration::from_secs(30))
        .await
        .unwrap_or_else(|status| panic!("the index did not catch up: {status:?}"))
}

/// Searches as `token` for `query` among items of `kind`, once the index
/// has caught up with every stream (the indexer follows them asynchronously).
pub async fn searchable(server: &TestServer, token: &str, query: &str, kind: &str) -> SearchResponse {
    caught_up(&mut server.search(&server.admin_token)).await;
    search_kind(&mut server.search(token), query, kind).await
}

/// Searches through `client` for `query` among the first 50 items of `kind`.
pub async fn search_kind(client: &mut SearchClient, query: &str, kind: &str) -> SearchResponse {
    client
        .search(SearchRequest {
            query: query.into(),
            kinds: vec![kind.into()],
            page_size: 50,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_are_filtered_by_what_the_caller_may_see() {
    let server = TestServer::start().await;
    let root = server.root_unit().await;
    let office = server.create_unit("PGD", "Phòng Giáo dục và Đào tạo", &root.name).await;
    let school = server
        .create_unit("THCS-DL", "Trường THCS Đằng Lâm", &office.name)
        .await;
    let other = server
        .create_unit("THCS-DH", "Trường THCS Đằng Hải", &office.name)
        .await;
    let (_, controller) = server
        .user_with_role("thu.ky", Role::DocumentController, &office.name)
        .await;
    let (_, counter) = server.user_with_role("mot.cua", Role::CounterStaff, &office.name).await;
    let (_, school_counter) = server
        .user_with_role("mot.cua.truong", Role::CounterStaff, &school.name)
        .await;
    let (_, teacher) = server.user_with_role("giao.vien", Role::Viewer, &school.name).await;
    let (_, outsider) = server.user_with_role("giao.vien.khac", Role::Viewer, &other.name).await;
    let (_, auditor) = server
        .user_with_role("danh.gia", Role::InternalAuditor, &office.name)
        .await;

    let mut documents = server.documents(&controller);
    let open = create_document(
        &mut documents,
        &office.name,
        "QT-01",
        "Quy trình kiểm tra nội bộ",
        Confidentiality::Internal,
    )
    .await;
    let secret = create_document(
        &mut documents,
        &school.name,
        "BM-02",
        "Biên bản kiểm tra đột xuất",
        Confidentiality::Restricted,
    )
    .await;

    // A dossier with an applicant: personal data for the counter only.
    server.transfer_procedure(&controller, &office.name).await;
    let dossier = receive_transfer(
        &server,
        &counter,
        &office.name,
        "Nguyễn Thị Hoà",
        "Xin kiểm tra hồ sơ chuyển trường cho con",
    )
    .await;

    let (admin, _) = (server.login("admin", ADMIN_PASSWORD).await.unwrap(), ());
    caught_up(&mut server.search(&admin)).await;

    // "kiem tra" (without diacritics) is in all three; who sees what: the
    // internal document everyone; the school's restricted document the
    // school and the office above it; the office's dossier the office only.
    let mut sorted = vec![dossier.name.clone(), open.name.clone(), secret.name.clone()];
    sorted.sort();
    for (who, token, expected) in [
        ("a viewer of another school", &outsider, vec![open.name.clone()]),
        (
            "a viewer of the owning school",
            &teacher,
            vec![open.name.clone(), secret.name.clone()],
        ),
        ("an auditor of the office", &auditor, sorted.clone()),
    ] {
        let mut expected = expected;
        expected.sort();
        let response = search(&mut server.search(token), "kiem tra").await;
        assert_eq!(names(&response), expected, "{who}");
        assert_eq!(
            response.total_size as usize,
            expected.len(),
            "{who}: counts exclude hidden items"
        );
        let kind_total: i64 = response
            .facets
            .iter()
            .filter(|f| f.facet == "kind")
            .map(|f| f.count)
            .sum();
        assert_eq!(
            kind_total as usize,
            expected.len(),
            "{who}: facets exclude hidden items"
        );
    }
    // The applicant is found by the counter, not by a viewer or an auditor.
    let by_name = search(&mut server.search(&counter), "nguyen thi hoa").await;
    assert_eq!(names(&by_name), [dossier.name.as_str()]);
    let by_id = search(&mut server.search(&counter), "031204001234").await;
    assert_eq!(names(&by_id), [dossier.name.as_str()]);
    // A school's counter clerk does not find the office's applicant, not even
    // by the ID number.
    assert!(
        search(&mut server.search(&school_counter), "031204001234")
            .await
            .results
            .is_empty()
    );
    for token in [&teacher, &auditor] {
        assert!(
            search(&mut server.search(token), "nguyen thi hoa")
                .await
                .results
                .is_empty()
        );
        assert!(
            search(&mut server.search(token), "personal:nguyen")
                .await
                .results
                .is_empty()
        );
    }
    // Snippets highlight the matched words, diacritics and all.
    let hit = search(&mut server.search(&outsider), "quy trinh kiem tra")
        .await
        .results
        .remove(0);
    assert_eq!(hit.title, "QT-01 Quy trình kiểm tra nội bộ");
    let marked: Vec<String> = hit
        .highlights
        .iter()
        .map(|h| {
            hit.snippet
                .chars()
                .skip(h.start as usize)
                .take((h.end - h.start) as usize)
                .collect()
        })
        .collect();
    assert_eq!(marked, ["Quy", "trình", "kiểm", "tra"], "{}", hit.snippet);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_is_searchable_within_two_seconds_under_steady_writes() {
    let server = TestServer::start().await;
    let Office {
        unit: office,
        controller,
    } = server.education_office().await;
    let (_, viewer) = server.user_with_role("giao.vien", Role::Viewer, &office.name).await;

    // Steady writes in the background: two clients creating documents.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..2 {
        let mut client = server.documents(&controller);
        let (stop, unit) = (stop.clone(), office.name.clone());
        writers.push(tokio::spawn(async move {
            let mut written = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let code = format!("NEN-{w}-{written}");
                create_document(&mut client, &unit, &code, "Văn bản nền", Confidentiality::Internal).await;
                written += 1;
            }
            written
        }));
    }
    let mut documents = server.documents(&controller);
    let mut search_client = server.search(&viewer);
    let mut delays = Vec::new();
    for i in 0..10 {
        let marker = format!("dauvet{i}");
        let created = Instant::now();
        let document = create_document(
            &mut documents,
            &office.name,
            &format!("DO-{i}"),
            &format!("Kế hoạch {marker}"),
            Confidentiality::Internal,
        )
        .await;
        loop {
            let found = search(&mut search_client, &marker).await;
            if names(&found) == [document.name.clone()] {
                break;
            }
            assert!(
                created.elapsed() < Duration::from_secs(10),
                "{marker} never became searchable"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        delays.push(created.elapsed());
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut background = 0;
    for writer in writers {
        background += writer.await.unwrap();
    }
    let slowest = delays.iter().max().unwrap();
    eprintln!("search freshness: slowest {slowest:?} of {delays:?}, {background} background writes");
    assert!(background > 10, "the background writers kept writing");
    assert!(
        *slowest < Duration::from_secs(2),
        "a change took {slowest:?} to become searchable"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rebuild_keeps_serving_then_swaps_and_reports_its_throughput() {
    let server = TestServer::start().await;
    let Office {
        unit: office,
        controller,
    } = server.education_office().await;
    let mut documents = server.documents(&controller);
    for i in 0..40 {
        create_document(
            &mut documents,
            &office.name,
            &format!("QT-{i:02}"),
            &format!("Quy trình số {i} về lưu trữ"),
            Confidentiality::Internal,
        )
        .await;
    }
    let admin = server.login("admin", ADMIN_PASSWORD).await.unwrap();
    let mut client = server.search(&admin);
    let before = caught_up(&mut client).await;
    assert_eq!(before.document_count, 40);
    // A new server built its index from the streams at start.
    assert_eq!(before.rebuild.map(|r| r.reason).as_deref(), Some("index missing"));

    let started = client.rebuild_index(RebuildIndexRequest {}).await.unwrap().into_inner();
    let progress = started.rebuild.unwrap();
    assert_eq!(progress.reason, "requested");
    // Still serving while it runs.
    assert_eq!(search(&mut client, "luu tru").await.total_size, 40);
    let after = caught_up(&mut client).await;
    let progress = after.rebuild.unwrap();
    assert_eq!(progress.state, rebuild_progress::State::Done as i32, "{progress:?}");
    assert_eq!((progress.documents, after.document_count), (40, 40));
    assert!(progress.documents_per_second > 0.0 && progress.megabytes_per_second > 0.0);
    eprintln!(
        "rebuild: {} items, {} bytes in {:.3} s: {:.0} items/s, {:.3} MB/s",
        progress.documents,
        progress.bytes,
        progress.documents as f64 / progress.documents_per_second,
        progress.documents_per_second,
        progress.megabytes_per_second
    );
    assert_eq!(search(&mut client, "luu tru").await.total_size, 40);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_searches_name_the_field() {
    let server = TestServer::start().await;
    let admin = server.login("admin", ADMIN_PASSWORD).await.unwrap();
    let mut client = server.search(&admin);
    for (request, field) in [
        (SearchRequest::default(), "query"),
        (
            SearchRequest {
                query: "x".repeat(501),
                ..Default::default()
            },
            "query",
        ),
        (
            SearchRequest {
                query: "hồ sơ".into(),
                order_by: "title".into(),
                ..Default::default()
            },
            "order_by",
        ),
        (
            SearchRequest {
                query: "hồ sơ".into(),
                page_token: "not-a-token".into(),
                ..Default::default()
            },
            "page_token",
        ),
        (
            SearchRequest {
                query: "hồ sơ".into(),
                page_size: -1,
                ..Default::default()
            },
            "page_size",
        ),
    ] {
        let status = client.search(request).await.unwrap_err();
        assert_eq!(status.code(), Code::InvalidArgument);
        assert!(status.message().contains(field), "{field}: {}", status.message());
    }
    server.stop().await;
}

/// A dossier of the transfer procedure received at `agency` by `counter`.
async fn receive_transfer(server: &TestServer, counter: &str, agency: &str, applicant: &str, summary: &str) -> Dossier {
    server
        .dossiers(counter)
        .receive_dossier(ReceiveDossierRequest {
            agency: agency.into(),
            procedure: "procedures/2.002481".into(),
            applicant: Some(Applicant {
                full_name: applicant.into(),
                id_number: "031204001234".into(),
                phone: "0912345678".into(),
                address: "Số 5, phường Đằng Lâm, Hải Phòng".into(),
                email: String::new(),
                r#type: ApplicantType::Citizen as i32,
            }),
            summary: summary.into(),
            channel: Channel::Direct as i32,
            documents: vec![],
            request_id: String::new(),
            dossier_sets: 1,
        })
        .await
        .unwrap()
        .into_inner()
}

fn first(response: &SearchResponse) -> &str {
    response.results.first().map_or("", |r| r.name.as_str())
}

/// Issue 14 through the API: abbreviations, codes with or without dots, typos
/// with a suggestion, partial matches said so, the applicant for the counter only,
/// and a query with nothing to look for refused with its field named.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_forgives_how_officers_type() {
    let server = TestServer::start().await;
    let Office {
        unit: office,
        controller,
    } = server.education_office().await;
    let (_, counter) = server.user_with_role("mot.cua", Role::CounterStaff, &office.name).await;
    let (_, viewer) = server.user_with_role("giao.vien", Role::Viewer, &office.name).await;
    server.transfer_procedure(&controller, &office.name).await;
    let mut documents = server.documents(&controller);
    let procedure_document = create_document(
        &mut documents,
        &office.name,
        "QT-TTHC-01",
        "Quy trình tiếp nhận hồ sơ thủ tục hành chính tại Bộ phận một cửa",
        Confidentiality::Internal,
    )
    .await;
    let dossier = receive_transfer(
        &server,
        &counter,
        &office.name,
        "Nguyễn Thị Hoà",
        "Xin chuyển trường cho con từ Trường THCS Đằng Lâm",
    )
    .await;
    caught_up(&mut server.search(&server.admin_token)).await;
    let mut as_counter = server.search(&counter);
    let mut as_viewer = server.search(&viewer);

    // Codes with or without their dots, document codes, dossier codes.
    for query in ["2.002481", "2002481"] {
        assert_eq!(
            first(&search(&mut as_viewer, query).await),
            "procedures/2.002481",
            "{query}"
        );
    }
    assert_eq!(
        first(&search(&mut as_viewer, "qt-tthc-01").await),
        procedure_document.name
    );
    assert_eq!(first(&search(&mut as_counter, &dossier.code).await), dossier.name);

    // An abbreviation finds what it stands for, and the reverse.
    let thcs = search(&mut as_viewer, "chuyen truong thcs").await;
    assert!(names(&thcs).contains(&"procedures/2.002481".to_string()), "{thcs:?}");
    let found = search(&mut as_viewer, "quy trinh tthc").await;
    assert_eq!(first(&found), procedure_document.name);
    assert!(!found.spelled_alike && !found.partial && found.suggestion.is_empty());

    // A typo: words spelled alike, said so, with the query respelt.
    let typo = search(&mut as_viewer, "chuyen truogn").await;
    assert!(typo.spelled_alike && !typo.partial, "{typo:?}");
    assert_eq!(typo.suggestion, "chuyển trường");
    assert!(names(&typo).contains(&"procedures/2.002481".to_string()));

    // Nothing has every word: the best partial matches, marked.
    let partial = search(&mut as_viewer, "thu tuc hanh chinh 2099").await;
    assert!(partial.partial, "{partial:?}");
    assert_eq!(first(&partial), procedure_document.name);

    // The applicant: named to the counter, found by the name or not; never to a viewer.
    let by_name = search(&mut as_counter, "nguyen thi hoa").await;
    let hit = &by_name.results[0];
    assert_eq!(
        (hit.name.as_str(), hit.applicant.as_str()),
        (dossier.name.as_str(), "Nguyễn Thị Hoà")
    );
    assert_eq!(hit.snippet, "Nguyễn Thị Hoà");
    for (client, applicant) in [(&mut as_counter, "Nguyễn Thị Hoà"), (&mut as_viewer, "")] {
        let found = search(client, "thcs dang lam").await;
        let hit = found.results.iter().find(|r| r.name == dossier.name).unwrap();
        assert_eq!(hit.applicant, applicant);
        if applicant.is_empty() {
            assert!(!hit.snippet.contains("Hoà"), "{}", hit.snippet);
        }
    }

    // Nothing to look for: refused, the field named.
    for query in ["-thcs", "- + –", "\"\""] {
        let status = as_viewer
            .search(SearchRequest {
                query: query.into(),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::InvalidArgument, "{query}");
        assert!(status.message().contains("query"), "{query}: {}", status.message());
    }
    server.stop().await;
}
