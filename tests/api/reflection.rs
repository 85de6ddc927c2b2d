//! Server reflection is enough for a stock client in another language: Python
//! grpcio with grpcio-reflection loads every service and every method's
//! message types by reflection alone. That needs each file to come with its
//! transitive dependencies, as grpc-go's server sends them.
//!
//! The interpreter is `EISO_TEST_PYTHON` (a venv with pinned `grpcio`,
//! `grpcio-reflection` and `protobuf`; `.ci/run` makes it). Without it the
//! test fails in CI (`CI=true`) and is skipped, with a note, elsewhere.

use std::path::PathBuf;

use eiso_tests::TestServer;

/// The Python interpreter to use, or `None` (after the note) when there is
/// none outside CI.
fn python() -> Option<String> {
    let in_ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    let missing = |why: String| {
        if in_ci {
            panic!("{why}: CI must run the reflection test with Python (see .ci/run)");
        }
        println!("note: skipping the Python reflection test: {why} (run `bash .ci/run` or set EISO_TEST_PYTHON)");
        None
    };
    let Some(python) = std::env::var("EISO_TEST_PYTHON").ok().filter(|p| !p.is_empty()) else {
        return missing("EISO_TEST_PYTHON is not set".into());
    };
    match std::process::Command::new(&python)
        .args(["-c", "import grpc, grpc_reflection, google.protobuf"])
        .output()
    {
        Ok(output) if output.status.success() => Some(python),
        Ok(output) => missing(format!(
            "{python} lacks grpcio, grpcio-reflection or protobuf: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )),
        Err(error) => missing(format!("cannot run {python}: {error}")),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_python_client_loads_every_service_by_reflection_alone() {
    let Some(python) = python() else {
        return;
    };
    let server = TestServer::start().await;
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("python/reflection_client.py");
    let output = tokio::process::Command::new(&python)
        .arg(&script)
        .arg(server.addr.to_string())
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the Python client failed:\n{stdout}\n{stderr}");
    for service in eiso_server::SERVICE_NAMES {
        assert!(
            stdout.contains(&format!("{service}: ")),
            "{service} not loaded:\n{stdout}"
        );
    }
    assert!(stdout.contains("grpc.health.v1.Health: "), "{stdout}");
    println!("{stdout}");
    server.stop().await;
}
