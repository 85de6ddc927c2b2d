//! CPU-bound work (reading or writing a workbook, rendering a large page)
//! off the async workers: a 10 MB XLSX parsed on a worker thread stalls
//! every other call that worker serves.

use crate::error::{ServiceError, ServiceResult};

/// Runs `work` on tokio's blocking pool and waits for it. A panic inside
/// `work` becomes INTERNAL, never a crash of the caller.
pub async fn run<T, F>(work: F) -> ServiceResult<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(work).await.map_err(ServiceError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn work_runs_off_the_async_workers_and_panics_are_errors() {
        let name = run(|| std::thread::current().name().map(str::to_owned))
            .await
            .expect("runs");
        assert_ne!(name.as_deref(), Some("tokio-runtime-worker"));
        #[allow(clippy::panic)]
        let error = run(|| -> u8 { panic!("boom") }).await.expect_err("a panic is an error");
        assert!(matches!(error, ServiceError::Internal(_)), "{error:?}");
    }
}
