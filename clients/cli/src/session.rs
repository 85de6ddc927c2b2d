//! The saved session: the token `eiso login` obtained, kept in
//! `$EISO_CONFIG_DIR/session.json` (else `<config dir>/eiso/session.json`,
//! e.g. `~/.config/eiso/session.json` on Linux), readable by its owner only.

use std::ffi::OsString;
use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::CliError;
use crate::output::format_local;

/// The environment variable that overrides where the session is kept.
pub const CONFIG_DIR_ENV: &str = "EISO_CONFIG_DIR";
/// The session file's name inside the configuration directory.
pub const SESSION_FILE: &str = "session.json";

/// What `eiso login` saves.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Session {
    /// The server the token was issued by, e.g. `http://127.0.0.1:50051`.
    pub server: String,
    /// The bearer token.
    pub token: String,
    /// When the token stops working (RFC 3339, UTC).
    pub expire_time: DateTime<Utc>,
    /// `users/{id}` or `clients/{id}`.
    pub principal: String,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("server", &self.server)
            .field("token", &"<redacted>")
            .field("expire_time", &self.expire_time)
            .field("principal", &self.principal)
            .finish()
    }
}

impl Session {
    /// Whether the token has stopped working at `now`.
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        now >= self.expire_time
    }
}

/// Where the session file lives. `config_dir_env` is the value of
/// `EISO_CONFIG_DIR`, passed in so that tests do not touch the environment.
pub fn session_path(config_dir_env: Option<OsString>) -> Result<PathBuf, CliError> {
    if let Some(dir) = config_dir_env.filter(|dir| !dir.is_empty()) {
        return Ok(PathBuf::from(dir).join(SESSION_FILE));
    }
    let base = dirs::config_dir().ok_or_else(|| {
        anyhow::anyhow!("cannot find a configuration directory for the session: set {CONFIG_DIR_ENV}")
    })?;
    Ok(base.join("eiso").join(SESSION_FILE))
}

/// Reads the session; `None` when there is none.
pub fn load(path: &Path) -> Result<Option<Session>, CliError> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) => {
            return Err(anyhow::Error::new(error)
                .context(format!("cannot read the session file {}", path.display()))
                .into());
        }
    };
    serde_json::from_str(&text).map(Some).map_err(|error| {
        CliError::NotSignedIn(format!(
            "the session file {} is unreadable ({error}): run `eiso login` again",
            path.display()
        ))
    })
}

/// Saves the session, readable and writable by its owner only (mode 0600),
/// replacing any earlier one atomically.
pub fn save(path: &Path, session: &Session) -> Result<(), CliError> {
    let dir = path
        .parent()
        .ok_or_else(|| anyhow::anyhow!("the session path {} has no directory", path.display()))?;
    create_private_dir(dir).with_context(|| format!("cannot create the directory {}", dir.display()))?;

    let mut text = serde_json::to_string_pretty(session).context("cannot encode the session")?;
    text.push('\n');

    let temporary = dir.join(format!(".{SESSION_FILE}.{}.tmp", std::process::id()));
    let written = write_private_file(&temporary, text.as_bytes()).and_then(|()| fs::rename(&temporary, path));
    if let Err(error) = written {
        let _ = fs::remove_file(&temporary);
        return Err(anyhow::Error::new(error)
            .context(format!("cannot save the session to {}", path.display()))
            .into());
    }
    Ok(())
}

/// Deletes the session; `false` when there was none.
pub fn delete(path: &Path) -> Result<bool, CliError> {
    match fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(error) => Err(anyhow::Error::new(error)
            .context(format!("cannot delete the session file {}", path.display()))
            .into()),
    }
}

/// Chooses the server and the token for a call.
///
/// The server is `--server`/`EISO_SERVER` when given, else the saved session's,
/// else `default_server`. The token is `--token`/`EISO_TOKEN` when given, else
/// the saved session's — but never one that has expired at `now` or was issued
/// by another server: those are refused with a message telling the user to
/// sign in again, and are not sent.
pub fn resolve(
    explicit_server: Option<&str>,
    explicit_token: Option<&str>,
    session: Option<&Session>,
    default_server: &str,
    now: DateTime<Utc>,
) -> (String, Result<String, CliError>) {
    let server = explicit_server
        .map(normalise_server)
        .or_else(|| session.map(|session| normalise_server(&session.server)))
        .unwrap_or_else(|| normalise_server(default_server));
    let token = match (explicit_token, session) {
        (Some(token), _) => Ok(token.to_string()),
        (None, None) => Err(CliError::NotSignedIn(
            "not signed in: run `eiso login` (or pass --token / set EISO_TOKEN)".to_string(),
        )),
        (None, Some(session)) if normalise_server(&session.server) != server => Err(CliError::NotSignedIn(format!(
            "the saved session is for {}, not {server}: run `eiso login --server {server}`",
            session.server
        ))),
        (None, Some(session)) if session.is_expired(now) => Err(CliError::NotSignedIn(format!(
            "your session expired at {} (Asia/Ho_Chi_Minh): run `eiso login` to sign in again",
            format_local(session.expire_time)
        ))),
        (None, Some(session)) => Ok(session.token.clone()),
    };
    (server, token)
}

/// A server address as the client uses it: `http://` added when no scheme is
/// given, no trailing slash.
pub fn normalise_server(server: &str) -> String {
    let server = server.trim().trim_end_matches('/');
    if server.contains("://") {
        server.to_string()
    } else {
        format!("http://{server}")
    }
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)
}

#[cfg(unix)]
fn write_private_file(path: &Path, contents: &[u8]) -> io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let _ = fs::remove_file(path);
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    // The mode given at creation is reduced by the umask, never widened; set it
    // outright so that the file is exactly 0600.
    file.set_permissions(fs::Permissions::from_mode(0o600))?;
    file.write_all(contents)?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private_file(path: &Path, contents: &[u8]) -> io::Result<()> {
    let _ = fs::remove_file(path);
    let mut file = fs::OpenOptions::new().write(true).create_new(true).open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn session(server: &str, expire_time: DateTime<Utc>) -> Session {
        Session {
            server: server.to_string(),
            token: "tok".to_string(),
            expire_time,
            principal: "users/u1".to_string(),
        }
    }

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 7, 1, hour, 0, 0)
            .single()
            .unwrap_or(DateTime::UNIX_EPOCH)
    }

    const DEFAULT: &str = "http://127.0.0.1:50051";

    fn scratch_dir(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!("eiso-cli-test-{name}-{}", uuid::Uuid::new_v4()))
    }

    #[test]
    fn the_path_follows_eiso_config_dir() {
        let path = session_path(Some("/tmp/eiso-x".into())).ok();
        assert_eq!(path, Some(PathBuf::from("/tmp/eiso-x/session.json")));
    }

    #[test]
    fn a_live_session_gives_its_server_and_token() {
        let saved = session("http://office:50051/", at(12));
        let (server, token) = resolve(None, None, Some(&saved), DEFAULT, at(11));
        assert_eq!(server, "http://office:50051");
        assert_eq!(token.ok().as_deref(), Some("tok"));
    }

    #[test]
    fn an_expired_session_is_not_sent() {
        let saved = session(DEFAULT, at(12));
        let (_, token) = resolve(None, None, Some(&saved), DEFAULT, at(12));
        match token {
            Err(CliError::NotSignedIn(message)) => {
                assert!(message.contains("expired at 01/07/2025 19:00"), "{message}");
                assert!(message.contains("eiso login"), "{message}");
            }
            other => panic!("expected NotSignedIn, got {other:?}"),
        }
    }

    #[test]
    fn a_session_for_another_server_is_not_sent() {
        let saved = session("http://office:50051", at(12));
        let (server, token) = resolve(Some("other:50051"), None, Some(&saved), DEFAULT, at(11));
        assert_eq!(server, "http://other:50051");
        assert!(matches!(token, Err(CliError::NotSignedIn(message)) if message.contains("not http://other:50051")));
    }

    #[test]
    fn an_explicit_token_wins_and_no_session_means_not_signed_in() {
        let saved = session(DEFAULT, at(10));
        let (_, token) = resolve(None, Some("explicit"), Some(&saved), DEFAULT, at(11));
        assert_eq!(token.ok().as_deref(), Some("explicit"));
        let (server, token) = resolve(None, None, None, DEFAULT, at(11));
        assert_eq!(server, DEFAULT);
        assert!(matches!(token, Err(CliError::NotSignedIn(_))));
    }

    #[test]
    fn save_load_delete_round_trip_with_owner_only_mode() -> Result<(), CliError> {
        let dir = scratch_dir("session");
        let path = dir.join("nested").join(SESSION_FILE);
        let saved = session(DEFAULT, at(12));
        save(&path, &saved)?;
        assert_eq!(load(&path)?, Some(saved.clone()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).map(|meta| meta.permissions().mode() & 0o777).ok();
            assert_eq!(mode, Some(0o600));
        }
        let text = fs::read_to_string(&path).unwrap_or_default();
        assert!(text.contains("\"expire_time\": \"2025-07-01T12:00:00Z\""), "{text}");
        assert!(delete(&path)?);
        assert!(!delete(&path)?);
        assert_eq!(load(&path)?, None);
        let _ = fs::remove_dir_all(&dir);
        Ok(())
    }

    #[test]
    fn a_corrupt_session_asks_to_sign_in_again() {
        let dir = scratch_dir("corrupt");
        let path = dir.join(SESSION_FILE);
        let _ = fs::create_dir_all(&dir);
        let _ = fs::write(&path, "{not json");
        assert!(matches!(load(&path), Err(CliError::NotSignedIn(_))));
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn debug_output_hides_the_token() {
        let text = format!("{:?}", session(DEFAULT, at(12)));
        assert!(!text.contains("tok\""), "{text}");
        assert!(text.contains("<redacted>"));
    }
}
