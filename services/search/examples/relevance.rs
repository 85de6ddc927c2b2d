//! Prints the relevance set's table: each query, the rank of its first acceptable
//! result, how it was found, and hits@k and MRR overall and by kind of query.
//!
//! `cargo run -p eiso-search --example relevance`

use std::process::ExitCode;

fn main() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("relevance: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async {
        let dir = tempfile::tempdir()?;
        eiso_search::relevance::evaluate(
            eiso_search::relevance::CORPUS,
            eiso_search::relevance::QUERIES,
            dir.path(),
        )
        .await
    });
    match outcome {
        Ok(report) => {
            print!("{}", report.markdown());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("relevance: {error:#}");
            ExitCode::FAILURE
        }
    }
}
