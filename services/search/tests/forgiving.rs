//! Search that forgives (issue 14), through the engine: abbreviations both ways,
//! typos with a suggestion, dashes that are punctuation, codes with or without
//! their dots, partial matches when nothing has every word, snippets that show
//! the match, and queries that cannot make a search run away.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{MemorySource, Units, caught_up, item, names, open, principal};
use eiso_platform::{Principal, ServiceError};
use eiso_proto::eiso::identity::v1::Role;
use eiso_search::abbreviations::FILE_NAME;
use eiso_search::query::{Hit, Matching, Results, SearchQuery};
use eiso_search::relevance::{CORPUS, items};
use eiso_search::{Search, Source};

/// The relevance set's corpus in an index.
async fn office(dir: &std::path::Path) -> Search {
    let source = MemorySource::new("test");
    for item in items(CORPUS).unwrap() {
        source.put(item);
    }
    let search = open(dir, &[source]).await;
    caught_up(&search).await;
    search
}

/// A counter clerk of the office: may see applicants.
fn counter() -> Principal {
    principal(Role::CounterStaff, "units/root")
}

async fn results(search: &Search, who: &Principal, text: &str) -> Results {
    let query = SearchQuery {
        text: text.into(),
        limit: 20,
        ..Default::default()
    };
    search.search(who, query).await.unwrap()
}

fn top3(results: &Results) -> Vec<&str> {
    results.hits.iter().take(3).map(|h| h.name.as_str()).collect()
}

fn marked(hit: &Hit) -> Vec<String> {
    hit.highlights
        .iter()
        .map(|&(from, to)| hit.snippet.chars().skip(from).take(to - from).collect())
        .collect()
}

fn hit<'a>(results: &'a Results, name: &str) -> &'a Hit {
    results.hits.iter().find(|h| h.name == name).unwrap_or_else(|| {
        panic!(
            "{name} not found: {:?}",
            results.hits.iter().map(|h| &h.name).collect::<Vec<_>>()
        )
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_examples_of_the_issue_find_the_wanted_item_in_the_top_3() {
    let dir = tempfile::tempdir().unwrap();
    let search = office(dir.path()).await;
    let who = counter();
    let thcs = [
        "procedures/2.002481",
        "documents/qt-gd-01",
        "dossiers/d1",
        "dossiers/d8",
    ];
    let transfer = [
        "procedures/2.002481",
        "procedures/1.005099",
        "documents/qt-gd-01",
        "documents/qt-gd-02",
        "dossiers/d1",
        "dossiers/d2",
        "dossiers/d8",
    ];
    let primary = ["procedures/1.005099", "documents/qt-gd-02", "dossiers/d2"];
    let cases: [(&str, &[&str]); 8] = [
        ("chuyen truong thcs", &thcs),
        ("ke hoach cchc", &["documents/kh-cchc-2024"]),
        ("thanh lap truong mn", &["procedures/1.004494"]),
        ("chuyen truogn", &transfer),
        ("chuyen truong - tieu hoc", &primary),
        ("chuyen truong + thcs", &thcs),
        ("1004492", &["procedures/1.004492"]),
        ("1.004492", &["procedures/1.004492"]),
    ];
    for (query, wanted) in cases {
        let found = results(&search, &who, query).await;
        let top = top3(&found);
        assert_eq!(top.len(), 3.min(found.hits.len()));
        assert!(
            top.iter().all(|name| wanted.contains(name)) || wanted.len() == 1,
            "{query}: {top:?}"
        );
        assert!(top.iter().any(|name| wanted.contains(name)), "{query}: {top:?}");
    }
    search.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_typo_falls_back_to_words_spelled_alike_with_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let search = office(dir.path()).await;
    let who = counter();
    let found = results(&search, &who, "chuyen truogn").await;
    assert_eq!(found.matching, Matching::SpelledAlike);
    assert_eq!(found.suggestion.as_deref(), Some("chuyển trường"));
    assert!(found.total >= 5, "{}", found.total);
    // The respelt word is what the snippet marks.
    let first = &found.hits[0];
    assert!(marked(first).iter().any(|w| w.to_lowercase() == "trường"), "{first:?}");
    // Words as typed come first: "ke hoach" has two items with both words; the
    // ones with only words spelled alike come after them.
    let found = results(&search, &who, "danh gia noi boo hanh dong khac phcu").await;
    assert_eq!(found.matching, Matching::SomeWords, "`boo` is too short to respell");
    let found = results(&search, &who, "hanh dong khac phcu").await;
    assert_eq!(found.matching, Matching::SpelledAlike);
    assert_eq!(found.suggestion.as_deref(), Some("hành động khắc phục"));
    assert_eq!(found.hits[0].name, "documents/qt-iso-04");
    // Correctly spelt words are not "corrected", even when they find little.
    let found = results(&search, &who, "Đỗ Quang Vinh").await;
    assert_eq!(
        (found.matching, found.suggestion.as_deref(), found.total),
        (Matching::AllWords, None, 1)
    );
    search.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dash_excludes_only_when_glued_to_the_word() {
    let dir = tempfile::tempdir().unwrap();
    let search = office(dir.path()).await;
    let who = counter();
    let primary = ["procedures/1.005099", "documents/qt-gd-02", "dossiers/d2"];
    let spaced = names(&search, &who, "chuyen truong - tieu hoc").await;
    assert!(primary.iter().all(|p| spaced.contains(&p.to_string())), "{spaced:?}");
    let glued = names(&search, &who, "chuyen truong -tieu hoc").await;
    assert!(!glued.is_empty());
    assert!(primary.iter().all(|p| !glued.contains(&p.to_string())), "{glued:?}");
    // A quoted phrase after the dash is excluded as a phrase.
    let found = names(&search, &who, "quy trinh kiem soat -\"tai lieu\"").await;
    assert!(found.contains(&"documents/qt-iso-02".to_string()));
    assert!(!found.contains(&"documents/qt-iso-01".to_string()));
    search.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_are_found_with_or_without_their_dots() {
    let dir = tempfile::tempdir().unwrap();
    let search = office(dir.path()).await;
    let who = counter();
    for (query, first) in [
        ("1004492", "procedures/1.004492"),
        ("1.004492", "procedures/1.004492"),
        ("2002481", "procedures/2.002481"),
        ("QT-TTHC-01", "documents/qt-tthc-01"),
        ("qttthc01", "documents/qt-tthc-01"),
        ("61/2018/NĐ-CP", "documents/nd-61-2018"),
        ("61/2018/nd-cp", "documents/nd-61-2018"),
        ("PGDHA-240305-0001", "dossiers/d1"),
    ] {
        let found = results(&search, &who, query).await;
        assert_eq!(found.hits.first().map(|h| h.name.as_str()), Some(first), "{query}");
    }
    // The code is marked in the snippet as it is written.
    let found = results(&search, &who, "1004492").await;
    assert_eq!(marked(&found.hits[0]), ["1.004492"]);
    search.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_with_every_word_gives_the_best_partial_matches() {
    let dir = tempfile::tempdir().unwrap();
    let search = office(dir.path()).await;
    let who = counter();
    let found = results(&search, &who, "lich nghi tet nguyen dan 2025").await;
    assert_eq!(found.matching, Matching::SomeWords);
    assert_eq!(found.hits[0].name, "documents/cv-nghi-tet");
    assert_eq!(found.suggestion, None);
    // Every word together: not partial.
    let found = results(&search, &who, "lich nghi tet").await;
    assert_eq!((found.matching, found.total), (Matching::AllWords, 1));
    // One word that is nowhere: nothing, not everything.
    let found = results(&search, &who, "xyzw").await;
    assert_eq!((found.total, found.hits.len()), (0, 0));
    search.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snippets_come_from_the_best_field_without_the_summary_and_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let search = office(dir.path()).await;
    let who = principal(Role::Viewer, "units/root");
    // The title holds every word: the snippet is the title.
    let found = results(&search, &who, "so tay chat luong").await;
    let first = hit(&found, "documents/so-tay-cl");
    assert_eq!(first.snippet, "STCL-01 Sổ tay chất lượng");
    assert_eq!(marked(first), ["Sổ", "tay", "chất", "lượng"]);
    // Only the body: the passage starts at the line of the match, not at the
    // change summary and the file name before it.
    let found = results(&search, &who, "kiem tra tinh day du hop le").await;
    let first = hit(&found, "documents/qt-tthc-01");
    assert!(
        first
            .snippet
            .starts_with("Công chức Bộ phận một cửa kiểm tra tính đầy đủ"),
        "{}",
        first.snippet
    );
    assert!(!first.snippet.contains("qt-tthc-01.pdf") && !first.snippet.contains("Ban hành"));
    search.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn words_typed_with_diacritics_are_highlighted_where_so_spelt() {
    let dir = tempfile::tempdir().unwrap();
    let source = MemorySource::new("test");
    source.put(item("documents/so-do", "Sơ đồ tổ chức của Sở Giáo dục", ""));
    source.put(item(
        "documents/so-tay",
        "Sổ tay công tác văn thư",
        "Mẫu sơ đồ và sổ sách",
    ));
    let search = open(dir.path(), &[source]).await;
    caught_up(&search).await;
    let who = principal(Role::Viewer, "units/root");
    let found = results(&search, &who, "sở").await;
    assert_eq!(found.hits[0].name, "documents/so-do", "the exact spelling ranks first");
    assert_eq!(marked(&found.hits[0]), ["Sở"], "not `Sơ`");
    // Where the item has no such spelling, what folds alike is marked.
    assert_eq!(marked(hit(&found, "documents/so-tay")), ["Sổ"]);
    // Typed without diacritics: every spelling.
    let found = results(&search, &who, "so do").await;
    assert_eq!(marked(hit(&found, "documents/so-do")), ["Sơ", "đồ", "Sở"]);
    search.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_applicant_is_shown_to_those_who_may_see_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    let search = office(dir.path()).await;
    let found = results(&search, &counter(), "nguyen thi hoa").await;
    let first = hit(&found, "dossiers/d1");
    assert_eq!(first.applicant, "Nguyễn Thị Hoà");
    assert_eq!(first.snippet, "Nguyễn Thị Hoà", "the matched line only");
    assert_eq!(marked(first), ["Nguyễn", "Thị", "Hoà"]);
    // Found by other words: the applicant is still named.
    let found = results(&search, &counter(), "THCS Cát Bi").await;
    assert_eq!(hit(&found, "dossiers/d1").applicant, "Nguyễn Thị Hoà");
    // Not to a viewer, in no field.
    let viewer = principal(Role::Viewer, "units/root");
    let found = results(&search, &viewer, "THCS Cát Bi").await;
    let seen = hit(&found, "dossiers/d1");
    assert_eq!(seen.applicant, "");
    assert!(!seen.snippet.contains("Hoà"), "{}", seen.snippet);
    let by_name = names(&search, &viewer, "nguyen thi hoa").await;
    assert!(!by_name.contains(&"dossiers/d1".to_string()), "{by_name:?}");
    search.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_with_nothing_to_look_for_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let search = office(dir.path()).await;
    for text in ["-", "- + – &", "\"\"", "-thcs", "-\"tai lieu\" -ho"] {
        let query = SearchQuery {
            text: text.into(),
            limit: 10,
            ..Default::default()
        };
        match search.search(&counter(), query).await {
            Err(ServiceError::InvalidArgument(violations)) => {
                assert_eq!(violations[0].field, "query", "{text}");
            }
            other => panic!("{text}: {other:?}"),
        }
    }
    search.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pathological_queries_stay_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let search = office(dir.path()).await;
    let who = counter();
    let long_words: Vec<String> = (0..2_000).map(|i| format!("chuyenx{i}truongz")).collect();
    // (the query, whether it has a word to look for in what is read of it)
    for (text, searchable) in [
        ("chuyển trường ".repeat(10_000), true),
        ("\"".repeat(1_001) + "chuyen truong", true),
        (format!("\"{}\"", "thcs ".repeat(5_000)), true),
        (long_words.join(" "), true),
        ("tthc ".repeat(3_000), true),
        (
            "qwertyuiop asdfghjkl zxcvbnmqw poiuytrew lkjhgfdsa mnbvcxzqw ".repeat(20),
            true,
        ),
        // Only the first characters are read.
        ("-".repeat(50_000) + " ho so", false),
        ("\"".repeat(10_000) + "chuyen truong", false),
    ] {
        let start = Instant::now();
        let query = SearchQuery {
            text: text.clone(),
            limit: 20,
            ..Default::default()
        };
        let outcome = search.search(&who, query).await;
        let shown: String = text.chars().take(40).collect();
        match outcome {
            Ok(_) => assert!(searchable, "{shown}…"),
            Err(ServiceError::InvalidArgument(_)) => assert!(!searchable, "{shown}…"),
            Err(error) => panic!("{shown}…: {error:?}"),
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{:?} for {shown}…",
            start.elapsed()
        );
    }
    search.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_queries_never_fail() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    let dir = tempfile::tempdir().unwrap();
    let search = office(dir.path()).await;
    const PIECES: [&str; 39] = [
        "chuyen",
        "truong",
        "thcs",
        "trung",
        "hoc",
        "co",
        "so",
        "-",
        "+",
        "\"",
        "“",
        "-tieu",
        "1.004492",
        "1004492",
        "QT-TTHC-01",
        "61/2018/NĐ-CP",
        "gd&đt",
        "Sở",
        "truogn",
        "phcu",
        ":",
        "*",
        "(",
        ")",
        "AND",
        "–",
        "ke",
        "hoach",
        "cchc",
        "nguyen",
        "0912345678",
        "-\"",
        "\\",
        "&&",
        "..",
        "/",
        "PGDHA-240305-0001",
        "mn",
        "tt",
    ];
    let strategy = proptest::collection::vec(proptest::sample::select(&PIECES[..]), 0..12).prop_flat_map(|words| {
        (
            Just(words.clone()),
            proptest::collection::vec(any::<bool>(), words.len()),
        )
    });
    let handle = tokio::runtime::Handle::current();
    let who = counter();
    tokio::task::spawn_blocking(move || {
        let mut runner = TestRunner::new(Config {
            cases: 200,
            ..Config::default()
        });
        runner
            .run(&strategy, |(words, glued)| {
                let text: String = words
                    .iter()
                    .zip(&glued)
                    .map(|(w, g)| if *g { w.to_string() } else { format!("{w} ") })
                    .collect();
                let query = SearchQuery {
                    text: text.clone(),
                    limit: 10,
                    ..Default::default()
                };
                match handle.block_on(search.search(&who, query)) {
                    Ok(_) | Err(ServiceError::InvalidArgument(_)) => Ok(()),
                    Err(error) => Err(TestCaseError::fail(format!("{text:?}: {error:?}"))),
                }
            })
            .unwrap();
        handle.block_on(search.close());
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_office_adds_abbreviations_in_the_search_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(FILE_NAME),
        "# Phòng GD&ĐT Hải An\nPCGD = phổ cập giáo dục\n",
    )
    .unwrap();
    let source = MemorySource::new("test");
    source.put(item("documents/pcgd", "Kế hoạch phổ cập giáo dục năm 2024", ""));
    source.put(item("documents/other", "Kế hoạch giáo dục năm 2024", "phổ biến"));
    let search = open(dir.path(), std::slice::from_ref(&source)).await;
    caught_up(&search).await;
    let who = principal(Role::Viewer, "units/root");
    assert_eq!(names(&search, &who, "ke hoach pcgd").await, ["documents/pcgd"]);
    search.close().await;

    // A line that is not a group of forms: the index does not open, and says where.
    std::fs::write(dir.path().join(FILE_NAME), "PCGD = phổ cập giáo dục\nPCGD\n").unwrap();
    let sources: Vec<Arc<dyn Source>> = vec![source];
    let error = Search::open(dir.path(), sources, Arc::new(Units), vec![])
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(error.contains(FILE_NAME) && error.contains("line 2"), "{error}");
}
