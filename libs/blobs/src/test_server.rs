//! A real S3-compatible server for tests: `s3s-fs` (the s3s project's
//! file-backed S3 server, a Rust binary from crates.io that `scripts/test`
//! installs), on a free port of 127.0.0.1, over a temporary directory, with
//! one bucket and credentials that the requests must be signed with.
//!
//! The binary is `EISO_TEST_S3_SERVER`. Without it a test that needs the
//! server fails in CI (`CI=true`) and is skipped, with a note, elsewhere.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::S3Location;

/// The bucket every test server holds.
pub const BUCKET: &str = "eiso-test";
const ACCESS_KEY: &str = "eiso-test-access";
const SECRET_KEY: &str = "eiso-test-secret-key";

/// A running S3 server, stopped when dropped.
pub struct S3Server {
    child: Child,
    address: SocketAddr,
    dir: tempfile::TempDir,
}

impl S3Server {
    /// The server binary, or `None` (after the note) when there is none
    /// outside CI.
    pub fn binary() -> Option<PathBuf> {
        let in_ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
        let missing = |why: String| {
            assert!(!in_ci, "{why}: CI runs the S3 tests (scripts/test installs s3s-fs)");
            println!("note: skipping an S3 test: {why} (run scripts/test, or set EISO_TEST_S3_SERVER)");
            None
        };
        match std::env::var_os("EISO_TEST_S3_SERVER").filter(|p| !p.is_empty()) {
            None => missing("EISO_TEST_S3_SERVER is not set".into()),
            Some(path) if PathBuf::from(&path).is_file() => Some(path.into()),
            Some(path) => missing(format!("{} does not exist", PathBuf::from(path).display())),
        }
    }

    /// Starts a server with an empty bucket [`BUCKET`]; `None` where
    /// [`S3Server::binary`] is.
    pub fn start() -> Option<Self> {
        let binary = Self::binary()?;
        let dir = tempfile::tempdir().expect("a temporary directory");
        std::fs::create_dir(dir.path().join(BUCKET)).expect("the bucket's directory");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        let child = spawn(&binary, address, dir.path());
        let mut server = Self { child, address, dir };
        server.wait_until_listening();
        Some(server)
    }

    fn wait_until_listening(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect_timeout(&self.address, Duration::from_millis(200)).is_err() {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("the S3 server exited at start: {status}");
            }
            assert!(Instant::now() < deadline, "the S3 server did not listen within 20 s");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The directory the server keeps the bucket in (`<dir>/<bucket>/<key>`),
    /// for tests that damage a stored object behind the store's back.
    pub fn root(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// Where [`BUCKET`] is, with the credentials it accepts.
    pub fn location(&self) -> S3Location {
        S3Location {
            bucket: BUCKET.into(),
            endpoint: Some(self.endpoint()),
            region: "us-east-1".into(),
            path_style: true,
            allow_http: true,
            access_key_id: Some(ACCESS_KEY.into()),
            secret_access_key: Some(SECRET_KEY.into()),
            session_token: None,
            copy_if_not_exists: None,
        }
    }

    /// The environment a server process is given to use this bucket.
    pub fn env(&self) -> Vec<(String, String)> {
        [
            ("EISO_BLOB_STORE_KIND", "s3".to_string()),
            ("EISO_BLOB_STORE_BUCKET", BUCKET.to_string()),
            ("EISO_BLOB_STORE_ENDPOINT", self.endpoint()),
            ("EISO_BLOB_STORE_REGION", "us-east-1".to_string()),
            ("EISO_BLOB_STORE_PATH_STYLE", "true".to_string()),
            ("EISO_BLOB_STORE_ALLOW_HTTP", "true".to_string()),
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY.to_string()),
            ("AWS_SECRET_ACCESS_KEY", SECRET_KEY.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    /// Stops the server (as a crash would: the stored objects stay).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts the server again on the same port and directory.
    pub fn restart(&mut self) {
        self.kill();
        let binary = Self::binary().expect("the S3 server binary");
        self.child = spawn(&binary, self.address, self.dir.path());
        self.wait_until_listening();
    }
}

fn spawn(binary: &std::path::Path, address: SocketAddr, root: &std::path::Path) -> Child {
    Command::new(binary)
        .args(["--host", "127.0.0.1", "--port", &address.port().to_string()])
        .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
        .arg(root)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()))
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.kill();
    }
}
