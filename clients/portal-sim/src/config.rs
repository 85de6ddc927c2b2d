//! What the simulator is started with: where it listens, who may sign in, how
//! long a session lasts.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::str::FromStr;
use std::time::Duration;

/// The simulator's configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where to listen; port 0 picks a free port (see [`crate::Simulator::addr`]).
    pub listen: SocketAddr,
    /// The accounts that may sign in.
    pub accounts: Vec<Account>,
    /// How long a session lasts after sign-in (fixed, calls do not extend it).
    pub session_lifetime: Duration,
}

impl Default for Config {
    /// `127.0.0.1:0`, no accounts, sessions of 30 minutes.
    fn default() -> Self {
        Self {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            accounts: Vec::new(),
            session_lifetime: Duration::from_secs(30 * 60),
        }
    }
}

impl Config {
    /// The configuration with one more account.
    pub fn with_account(mut self, username: &str, password: &str, agency: &str) -> Self {
        self.accounts.push(Account {
            username: username.to_owned(),
            password: password.to_owned(),
            agency: agency.to_owned(),
        });
        self
    }
}

/// An account of the portal: its sign-in and the agency (`madonvi`, the
/// `dstcode` header) it acts for.
#[derive(Clone, PartialEq, Eq)]
pub struct Account {
    pub username: String,
    pub password: String,
    pub agency: String,
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("agency", &self.agency)
            .finish()
    }
}

/// An `--account` that is not `username:password:AGENCYCODE`.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("an account is username:password:AGENCYCODE, each part non-empty")]
pub struct AccountSpecError;

impl FromStr for Account {
    type Err = AccountSpecError;

    /// `username:password:AGENCYCODE`; the password may itself hold colons
    /// (the username ends at the first one, the agency code starts after the
    /// last one).
    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let (username, rest) = spec.split_once(':').ok_or(AccountSpecError)?;
        let (password, agency) = rest.rsplit_once(':').ok_or(AccountSpecError)?;
        if username.is_empty() || password.is_empty() || agency.is_empty() {
            return Err(AccountSpecError);
        }
        Ok(Self {
            username: username.to_owned(),
            password: password.to_owned(),
            agency: agency.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_spec_splits_at_the_first_and_last_colon() {
        let account: Account = "canbo:p:a:ss:000.00.00.H12".parse().expect("valid spec");
        assert_eq!(account.username, "canbo");
        assert_eq!(account.password, "p:a:ss");
        assert_eq!(account.agency, "000.00.00.H12");
    }

    #[test]
    fn an_incomplete_account_spec_is_refused() {
        for spec in ["canbo", "canbo:secret", ":secret:H12", "canbo::H12", "canbo:secret:"] {
            assert_eq!(spec.parse::<Account>(), Err(AccountSpecError), "{spec}");
        }
    }

    #[test]
    fn the_password_is_not_printed() {
        let account = Account::from_str("canbo:hunter2:H12").expect("valid spec");
        assert!(!format!("{account:?}").contains("hunter2"));
    }
}
