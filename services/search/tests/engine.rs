//! The engine end to end on a real tantivy index in a temporary directory,
//! fed by an in-memory event stream (the services' own streams are exercised
//! by the server's integration tests).

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{TimeZone, Utc};
use common::{MemorySource, Poison, Units, caught_up, item, names, open, principal};
use eiso_platform::{Principal, ServiceError, ServiceResult};
use eiso_proto::eiso::event::v1::Event;
use eiso_proto::eiso::identity::v1::Role;
use eiso_search::engine::RebuildState;
use eiso_search::quarantine::CRASHED;
use eiso_search::query::{Ordering, SearchQuery};
use eiso_search::source::Answer;
use eiso_search::source::Retry;
use eiso_search::{Change, Search, Source, readers};
use futures::stream::BoxStream;
use unicode_normalization::UnicodeNormalization;

/// Each Vietnamese vowel with each tone, and đ, in words that differ only by it.
fn vietnamese_letters() -> Vec<(char, char)> {
    let groups: [(&str, char); 12] = [
        ("aàáảãạ", 'a'),
        ("ăằắẳẵặ", 'a'),
        ("âầấẩẫậ", 'a'),
        ("eèéẻẽẹ", 'e'),
        ("êềếểễệ", 'e'),
        ("iìíỉĩị", 'i'),
        ("oòóỏõọ", 'o'),
        ("ôồốổỗộ", 'o'),
        ("ơờớởỡợ", 'o'),
        ("uùúủũụ", 'u'),
        ("ưừứửữự", 'u'),
        ("yỳýỷỹỵ", 'y'),
    ];
    let mut letters = Vec::new();
    for (group, base) in groups {
        for letter in group.chars() {
            letters.push((letter, base));
            letters.extend(letter.to_uppercase().map(|upper| (upper, base)));
        }
    }
    letters.push(('đ', 'd'));
    letters.push(('Đ', 'd'));
    letters
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_vietnamese_letter_matches_without_diacritics_in_nfc_and_nfd() {
    let dir = tempfile::tempdir().unwrap();
    let source = MemorySource::new("test");
    let letters = vietnamese_letters();
    for (i, (letter, _)) in letters.iter().enumerate() {
        // `qx<letter>z<i>`: one word per letter; odd ones are stored in NFD.
        let word = format!("qx{letter}z{i}");
        let word = if i % 2 == 1 { word.nfd().collect() } else { word };
        source.put(item(&format!("documents/l{i}"), &format!("Mục {word}"), ""));
    }
    let search = open(dir.path(), &[source]).await;
    caught_up(&search).await;
    let who = principal(Role::Viewer, "units/b");
    for (i, (letter, base)) in letters.iter().enumerate() {
        let ascii = format!("qx{base}z{i}");
        assert_eq!(
            names(&search, &who, &ascii).await,
            [format!("documents/l{i}")],
            "{letter} by {ascii}"
        );
        // The query typed with the letter, in NFD, finds it too.
        let typed: String = format!("qx{letter}z{i}").nfd().collect();
        assert_eq!(
            names(&search, &who, &typed).await,
            [format!("documents/l{i}")],
            "{letter} typed in NFD"
        );
    }
    search.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_typed_with_diacritics_ranks_exact_matches_first() {
    let dir = tempfile::tempdir().unwrap();
    let source = MemorySource::new("test");
    // Same folded words, different diacritics: "bán" (sell) vs "bàn" (table) vs "ban" (board).
    source.put(item("documents/ban", "Quy chế ban chỉ đạo", ""));
    source.put(item("documents/ban-table", "Quy chế bàn giao hồ sơ", ""));
    source.put(item("documents/ban-sell", "Quy chế bán hồ sơ mời thầu", ""));
    let search = open(dir.path(), &[source]).await;
    caught_up(&search).await;
    let who = principal(Role::Viewer, "units/b");
    let typed = names(&search, &who, "bàn").await;
    assert_eq!(typed.len(), 3, "folded matching keeps all: {typed:?}");
    assert_eq!(typed[0], "documents/ban-table");
    assert_eq!(names(&search, &who, "bán").await[0], "documents/ban-sell");
    // A phrase over syllables.
    assert_eq!(
        names(&search, &who, "\"ban giao ho so\"").await,
        ["documents/ban-table"]
    );
    search.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn visibility_is_part_of_the_query() {
    let dir = tempfile::tempdir().unwrap();
    let source = MemorySource::new("test");
    source.put(item("documents/open", "Kế hoạch kiểm tra công khai", ""));
    let mut restricted = item("documents/secret", "Kế hoạch kiểm tra mật", "");
    restricted.unit = "units/a".into();
    // Readable by viewers and auditors bound at units/a or above it.
    let chain = ["units/a".to_string(), "units/root".to_string()];
    restricted.readers = readers::within(&[Role::Viewer, Role::InternalAuditor], &chain);
    source.put(restricted);
    let mut dossier = item("dossiers/d1", "PGD-240301-0001 Chuyển trường", "Kế hoạch kiểm tra");
    dossier.kind = "dossier".into();
    dossier.personal = "Nguyễn Thị Hoà 0912345678".into();
    source.put(dossier);
    let search = open(dir.path(), &[source]).await;
    caught_up(&search).await;

    let query = |text: &str| SearchQuery {
        text: text.into(),
        limit: 1,
        ..Default::default()
    };
    // Outside unit a: the restricted document is not counted, paged or faceted.
    let outsider = principal(Role::Viewer, "units/b");
    let results = search.search(&outsider, query("kiem tra")).await.unwrap();
    assert_eq!(results.total, 2);
    let kinds: HashMap<_, _> = results
        .facets
        .iter()
        .filter(|(f, _, _)| f == "kind")
        .map(|(_, v, c)| (v.clone(), *c))
        .collect();
    assert_eq!(
        kinds,
        HashMap::from([("document".to_string(), 1), ("dossier".to_string(), 1)])
    );
    // Bound at a or above it, with a reading role: it sees a's restricted
    // document. Below a, beside it, or with another role: not.
    for who in [
        principal(Role::Viewer, "units/a"),
        principal(Role::InternalAuditor, "units/root"),
    ] {
        assert_eq!(search.search(&who, query("kiem tra")).await.unwrap().total, 3);
    }
    for who in [
        principal(Role::Viewer, "units/a1"),
        principal(Role::InternalAuditor, "units/b"),
        principal(Role::CounterStaff, "units/a"),
    ] {
        assert_eq!(
            search.search(&who, query("kiem tra")).await.unwrap().total,
            2,
            "{who:?}"
        );
    }
    // Personal data: found by the counter, not by others, not even through a field prefix.
    let counter = principal(Role::CounterStaff, "units/b");
    assert_eq!(names(&search, &counter, "nguyen thi hoa").await, ["dossiers/d1"]);
    assert_eq!(names(&search, &counter, "0912345678").await, ["dossiers/d1"]);
    assert!(names(&search, &outsider, "nguyen thi hoa").await.is_empty());
    assert!(names(&search, &outsider, "personal:nguyen").await.is_empty());
    search.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snippets_facets_order_and_pages() {
    let dir = tempfile::tempdir().unwrap();
    let source = MemorySource::new("test");
    for i in 0..25 {
        let mut it = item(
            &format!("documents/p{i:02}"),
            &format!("Quy trình số {i}"),
            "Phần mở đầu dài dòng. Tiếp nhận hồ sơ chuyển trường tại bộ phận một cửa. Phần kết.",
        );
        it.update_time = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap() + chrono::Duration::days(i);
        it.status = if i % 5 == 0 {
            "obsolete".into()
        } else {
            "effective".into()
        };
        source.put(it);
    }
    let search = open(dir.path(), &[source]).await;
    caught_up(&search).await;
    let who = principal(Role::Viewer, "units/b");
    let mut query = SearchQuery {
        text: "chuyen truong".into(),
        ordering: Ordering::NewestFirst,
        limit: 10,
        ..Default::default()
    };
    let first = search.search(&who, query.clone()).await.unwrap();
    assert_eq!(first.total, 25);
    assert_eq!(first.hits[0].name, "documents/p24");
    let hit = &first.hits[0];
    let highlighted: Vec<String> = hit
        .highlights
        .iter()
        .map(|(s, e)| hit.snippet.chars().skip(*s).take(e - s).collect())
        .collect();
    assert_eq!(highlighted, ["chuyển", "trường"], "snippet: {}", hit.snippet);
    let statuses: HashMap<_, _> = first
        .facets
        .iter()
        .filter(|(f, _, _)| f == "status")
        .map(|(_, v, c)| (v.clone(), *c))
        .collect();
    assert_eq!(
        statuses,
        HashMap::from([("effective".into(), 20), ("obsolete".into(), 5)])
    );
    // The third page holds the five oldest.
    query.offset = 20;
    let third = search.search(&who, query.clone()).await.unwrap();
    assert_eq!(
        third.hits.iter().map(|h| h.name.as_str()).collect::<Vec<_>>(),
        [
            "documents/p04",
            "documents/p03",
            "documents/p02",
            "documents/p01",
            "documents/p00"
        ]
    );
    query.statuses = vec!["obsolete".into()];
    query.offset = 0;
    assert_eq!(search.search(&who, query).await.unwrap().total, 5);
    search.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reopening_resumes_from_the_committed_cursors() {
    let dir = tempfile::tempdir().unwrap();
    let source = MemorySource::new("test");
    source.put(item("documents/1", "Sổ tay chất lượng", ""));
    source.put(item("documents/2", "Chính sách chất lượng", ""));
    let search = open(dir.path(), std::slice::from_ref(&source)).await;
    caught_up(&search).await;
    search.close().await;

    // Changes while the index was closed: one updated, one deleted, one new.
    source.put(item("documents/1", "Sổ tay chất lượng (sửa đổi)", ""));
    source.delete("documents/2");
    source.put(item("documents/3", "Mục tiêu chất lượng", ""));
    let search = open(dir.path(), std::slice::from_ref(&source)).await;
    caught_up(&search).await;
    let entries = search.entries().await.unwrap();
    assert_eq!(
        entries
            .iter()
            .map(|e| (e.name.as_str(), e.title.as_str()))
            .collect::<Vec<_>>(),
        [
            ("documents/1", "Sổ tay chất lượng (sửa đổi)"),
            ("documents/3", "Mục tiêu chất lượng")
        ]
    );
    assert_eq!(
        search.rebuild_progress().state,
        RebuildState::None,
        "no rebuild on a clean reopen"
    );
    search.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rebuild_swaps_in_a_new_index_and_reports_its_throughput() {
    let dir = tempfile::tempdir().unwrap();
    let source = MemorySource::new("test");
    for i in 0..500 {
        source.put(item(
            &format!("documents/{i}"),
            &format!("Văn bản {i}"),
            "nội dung kiểm soát",
        ));
    }
    let search = open(dir.path(), std::slice::from_ref(&source)).await;
    caught_up(&search).await;
    let before = search.entries().await.unwrap();
    search.rebuild("requested").await.unwrap();
    // Served while rebuilding.
    let who = principal(Role::Viewer, "units/b");
    assert!(!names(&search, &who, "kiem soat").await.is_empty());
    caught_up(&search).await;
    let progress = search.rebuild_progress();
    assert_eq!(progress.state, RebuildState::Done);
    assert_eq!(progress.documents, 500);
    assert!(progress.documents_per_second() > 0.0 && progress.megabytes_per_second() > 0.0);
    assert_eq!(search.entries().await.unwrap(), before);
    let generations: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("gen-"))
        .collect();
    assert_eq!(generations, ["gen-2"], "the old index is removed after the swap");
    search.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_index_of_another_layout_is_rebuilt_by_itself() {
    let dir = tempfile::tempdir().unwrap();
    // An index in another layout where the current one should be.
    {
        let mut builder = tantivy::schema::Schema::builder();
        builder.add_text_field("title", tantivy::schema::TEXT);
        let old = dir.path().join("gen-1");
        std::fs::create_dir_all(&old).unwrap();
        tantivy::Index::create_in_dir(&old, builder.build()).unwrap();
        std::fs::write(dir.path().join("CURRENT"), "gen-1\n").unwrap();
    }
    let source = MemorySource::new("test");
    source.put(item("documents/1", "Hướng dẫn lưu trữ hồ sơ", ""));
    let search = open(dir.path(), &[source]).await;
    caught_up(&search).await;
    let progress = search.rebuild_progress();
    assert_eq!(
        (progress.state, progress.reason.as_str()),
        (RebuildState::Done, "schema changed")
    );
    let who = principal(Role::Viewer, "units/b");
    assert_eq!(names(&search, &who, "luu tru").await, ["documents/1"]);
    search.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_texts_are_found_anywhere_and_snippets_stay_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let source = MemorySource::new("test");
    // 2 MB of file text with the only "lưu trữ" near the end.
    let body = format!("{} lưu trữ hồ sơ", "nội dung văn bản ".repeat(110_000));
    source.put(item("documents/long", "Quy chế công tác văn thư", &body));
    let search = open(dir.path(), &[source]).await;
    caught_up(&search).await;
    let who = principal(Role::Viewer, "units/b");
    let results = search
        .search(
            &who,
            SearchQuery {
                text: "luu tru".into(),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(results.total, 1);
    let hit = &results.hits[0];
    assert_eq!(hit.name, "documents/long");
    assert!(hit.snippet.chars().count() <= 400, "a short passage, not the text");
    search.close().await;
}

/// Retries without the production pauses (the count of attempts is what is tested).
const QUICK: Retry = Retry {
    pause: Duration::from_millis(10),
    max_attempts: 3,
};

/// Opens the index with quick retries, waiting (bounded) until the writer of
/// a previous life of the index, in a runtime just dropped, has let go.
async fn open_quick(dir: &std::path::Path, source: &Arc<MemorySource>) -> Search {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let sources: Vec<Arc<dyn Source>> = vec![source.clone()];
        match Search::open_with(dir, sources, Arc::new(Units), vec![Role::CounterStaff], QUICK).await {
            Ok(search) => return search,
            Err(error) => {
                assert!(std::time::Instant::now() < deadline, "cannot open the index: {error:#}");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }
}

async fn titles(search: &Search) -> Vec<(String, String, String)> {
    search
        .entries()
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.name, e.title, e.status))
        .collect()
}

fn root_admin() -> Principal {
    principal(Role::Admin, "units/root")
}

async fn poison_then_heal(how: Poison, reason: &str) {
    let dir = tempfile::tempdir().unwrap();
    let source = MemorySource::new("test");
    source.put(item("documents/before", "Quy trình trước", ""));
    source.put(item("documents/poison", "Quy trình hỏng", "nội dung hỏng"));
    source.put(item("documents/after", "Quy trình sau", ""));
    source.poison("documents/poison", how);
    let search = open_quick(dir.path(), &source).await;
    caught_up(&search).await;

    // Three attempts (the first with its neighbours, then alone), then it is set aside.
    assert_eq!(source.poison_calls(), 3);
    assert_eq!(
        titles(&search).await,
        [
            ("documents/after".into(), "Quy trình sau".into(), "effective".into()),
            ("documents/before".into(), "Quy trình trước".into(), "effective".into()),
            (
                "documents/poison".into(),
                "documents/poison".into(),
                "quarantined".into()
            ),
        ],
        "the neighbours are indexed whole, the poison item by name only"
    );
    let status = search.status().await.unwrap();
    assert_eq!(status.quarantined_count, 1);
    let quarantined = &status.quarantined[0];
    assert_eq!(
        (
            quarantined.stream.as_str(),
            quarantined.sequence,
            quarantined.resource.as_str(),
            quarantined.attempts
        ),
        ("test", 2, "documents/poison", 3)
    );
    assert!(quarantined.reason.contains(reason), "{}", quarantined.reason);
    // Found by name, by a root administrator only.
    assert_eq!(names(&search, &root_admin(), "poison").await, ["documents/poison"]);
    assert!(
        names(&search, &principal(Role::Admin, "units/a"), "poison")
            .await
            .is_empty()
    );
    assert!(
        names(&search, &principal(Role::Viewer, "units/b"), "poison")
            .await
            .is_empty()
    );
    assert!(names(&search, &root_admin(), "hong").await.is_empty(), "no body");

    // The item can be read again and changes: indexed whole, quarantine lifted.
    source.heal("documents/poison");
    source.put(item("documents/poison", "Quy trình đã sửa", "nội dung đã sửa"));
    caught_up(&search).await;
    assert_eq!(source.poison_calls(), 3);
    let who = principal(Role::Viewer, "units/b");
    assert_eq!(names(&search, &who, "da sua").await, ["documents/poison"]);
    let status = search.status().await.unwrap();
    assert_eq!((status.quarantined_count, status.quarantined.len()), (0, 0));
    search.close().await;

    // Reopened: still lifted, nothing tried again.
    let search = open_quick(dir.path(), &source).await;
    caught_up(&search).await;
    assert_eq!(search.status().await.unwrap().quarantined_count, 0);
    search.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_that_always_fails_is_quarantined_and_the_stream_moves_on() {
    poison_then_heal(Poison::Fail, "the item cannot be read").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_whose_source_panics_is_quarantined_and_the_stream_moves_on() {
    poison_then_heal(Poison::Panic, "the item's loader panicked").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn storage_being_unavailable_is_not_counted_against_an_event() {
    struct Unavailable(Arc<MemorySource>, Mutex<u32>);
    impl Source for Unavailable {
        fn stream(&self) -> &'static str {
            self.0.stream()
        }
        fn watch(&self, after: i64) -> BoxStream<'static, ServiceResult<Event>> {
            self.0.watch(after)
        }
        fn head(&self) -> Answer<'_, i64> {
            self.0.head()
        }
        fn changes<'a>(&'a self, events: &'a [Event]) -> Answer<'a, Vec<Change>> {
            let mut failures = self.1.lock().unwrap();
            if *failures < 10 {
                *failures += 1;
                return Box::pin(async { Err(ServiceError::Unavailable("database is down".into())) });
            }
            self.0.changes(events)
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let inner = MemorySource::new("test");
    inner.put(item("documents/1", "Sổ tay chất lượng", ""));
    let sources: Vec<Arc<dyn Source>> = vec![Arc::new(Unavailable(inner, Mutex::new(0)))];
    let search = Search::open_with(dir.path(), sources, Arc::new(Units), vec![], QUICK)
        .await
        .unwrap();
    caught_up(&search).await;
    // Ten failures in a row, none of them the event's: indexed whole, nothing quarantined.
    assert_eq!(
        titles(&search).await,
        [("documents/1".into(), "Sổ tay chất lượng".into(), "effective".into())]
    );
    assert_eq!(search.status().await.unwrap().quarantined_count, 0);
    search.close().await;
}

/// The process dies (here: its runtime is dropped, nothing is closed) while
/// an event is in flight, at every start: the fourth start finds it in
/// flight three times and quarantines it before trying it again.
#[test]
fn an_event_in_flight_at_every_crash_is_quarantined_after_three() {
    let dir = tempfile::tempdir().unwrap();
    let source = MemorySource::new("test");
    source.put(item("documents/before", "Quy trình trước", ""));
    source.put(item("documents/poison", "Quy trình hỏng", ""));
    source.put(item("documents/after", "Quy trình sau", ""));
    source.poison("documents/poison", Poison::Hang);
    for life in 1..=3u32 {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let _search = open_quick(dir.path(), &source).await;
            let mut calls = source.poison_calls.subscribe();
            tokio::time::timeout(Duration::from_secs(30), calls.wait_for(|n| *n >= life))
                .await
                .expect("the follower reaches the poison event")
                .unwrap();
        });
        // The crash: every task and the index are dropped where they stand.
        runtime.shutdown_background();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let search = open_quick(dir.path(), &source).await;
        caught_up(&search).await;
        assert_eq!(source.poison_calls(), 3, "not tried a fourth time");
        assert_eq!(
            titles(&search).await,
            [
                ("documents/after".into(), "Quy trình sau".into(), "effective".into()),
                ("documents/before".into(), "Quy trình trước".into(), "effective".into()),
                (
                    "documents/poison".into(),
                    "documents/poison".into(),
                    "quarantined".into()
                ),
            ]
        );
        let status = search.status().await.unwrap();
        assert_eq!(status.quarantined_count, 1);
        assert_eq!(
            (status.quarantined[0].reason.as_str(), status.quarantined[0].attempts),
            (CRASHED, 3)
        );
        // A rebuild replays every event: the crashing one is not run again.
        search.rebuild("requested").await.unwrap();
        caught_up(&search).await;
        assert_eq!(search.rebuild_progress().state, RebuildState::Done);
        assert_eq!(source.poison_calls(), 3, "a rebuild does not run a crashing event");
        assert_eq!(titles(&search).await.len(), 3);
        search.close().await;
    });
}
