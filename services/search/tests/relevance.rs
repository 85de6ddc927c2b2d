//! The relevance set (`relevance/`): at least 60 Vietnamese queries over a small
//! office corpus, each with its acceptable results, must keep hits@3 ≥ 0.95 and
//! MRR ≥ 0.9. `cargo run -p eiso-search --example relevance` prints the table.

#![allow(clippy::unwrap_used)]

use eiso_search::relevance::{CORPUS, QUERIES, evaluate};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_relevance_set_keeps_its_floor() {
    let dir = tempfile::tempdir().unwrap();
    let report = evaluate(CORPUS, QUERIES, dir.path()).await.unwrap();
    assert!(report.rows.len() >= 60, "{} queries", report.rows.len());
    let misses: Vec<String> = report
        .misses(3)
        .iter()
        .map(|r| format!("`{}` → rank {:?}, top {:?}", r.case.text, r.rank, r.top))
        .collect();
    let (hits, mrr) = (report.hits_at(3), report.mrr());
    assert!(
        hits >= 0.95 && mrr >= 0.9,
        "hits@3 {hits:.3}, MRR {mrr:.3}; not in the top 3:\n{}\n\n{}",
        misses.join("\n"),
        report.markdown()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_set_expecting_what_is_not_in_the_corpus_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let queries = "[[query]]\ntext = \"x\"\nwhy = \"plain\"\nexpect = [\"documents/none\"]\n";
    let error = evaluate(CORPUS, queries, dir.path()).await.unwrap_err().to_string();
    assert!(error.contains("documents/none"), "{error}");
}
