//! Unit scoping, generated: every method × every role × the caller's unit
//! being the resource's unit / an ancestor / a descendant / a sibling, called
//! for real on the backend under test, against the table in [`table`].
//!
//! The units: ROOT ← D (the district office) ← {S1 ← S1a, S2} (schools, and a
//! department of S1). Every resource the cases touch belongs to S1. For each
//! role and relation one user is bound with that role at S1, D, S1a or S2.
//! Within a method, the calls expected to be refused run first, so that a
//! call that wrongly succeeds cannot hide behind a change made by an allowed
//! one; a destructive call that was allowed once may leave the resource gone
//! (NOT_FOUND) for the next allowed caller, which counts as allowed.

mod documents;
mod identity;
mod notify;
mod plans;
mod procedures;
mod quality;
mod sync;
mod table;

use std::sync::Arc;

use eiso_platform::policy::{self, ALL_ROLES};
use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::prost::Message;
use eiso_tests::TestServer;
use futures::future::BoxFuture;
use tonic::Code;

pub use table::Reach;

/// Where the caller is bound, relative to the resource's unit (S1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Relation {
    Same,
    Ancestor,
    Descendant,
    Sibling,
}

pub const RELATIONS: [Relation; 4] = [
    Relation::Same,
    Relation::Ancestor,
    Relation::Descendant,
    Relation::Sibling,
];

/// What a call that got past the gates showed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// A single resource or a change.
    Done,
    /// A list: whether the resource was on it.
    Listed(bool),
}

pub type Answer = Result<Seen, tonic::Status>;

/// The units, by name (`units/{id}`).
#[derive(Debug, Clone)]
pub struct Units {
    /// The resources' unit.
    pub s1: String,
    /// Below it: the unit an inspection of S1's programme is about.
    pub s1a: String,
}

/// One caller of the cases.
#[derive(Debug, Clone)]
pub struct Caller {
    pub role: Role,
    pub relation: Relation,
    pub user: String,
    pub token: String,
}

/// What a case's call has: the server, the fixture and the caller.
#[derive(Clone)]
pub struct Call {
    pub server: Arc<TestServer>,
    pub units: Arc<Units>,
    pub fixture: Arc<Fixture>,
    pub caller: Caller,
}

impl Call {
    pub fn token(&self) -> &str {
        &self.caller.token
    }
}

/// The resources the cases touch, made by the setup user.
#[derive(Debug, Clone, Default)]
pub struct Fixture {
    pub documents: documents::Fixture,
    pub identity: identity::Fixture,
    pub procedures: procedures::Fixture,
    pub plans: plans::Fixture,
    pub quality: quality::Fixture,
    pub sync: sync::Fixture,
    pub notify: notify::Fixture,
}

/// A method's call.
pub type Run = Box<dyn Fn(Call) -> BoxFuture<'static, Answer> + Send + Sync>;

pub struct Case {
    pub method: &'static str,
    pub run: Run,
}

/// The clients a case calls, each carrying the caller's token.
pub trait Clients {
    fn identity_of(&self, token: &str) -> eiso_tests::Identity;
    fn audit_of(&self, token: &str) -> eiso_tests::Audit;
}

impl Clients for TestServer {
    fn identity_of(&self, token: &str) -> eiso_tests::Identity {
        self.identity(Some(token))
    }
    fn audit_of(&self, token: &str) -> eiso_tests::Audit {
        self.audit(Some(token))
    }
}

/// Whether `needle` occurs in the encoded `message` (a resource name in a list).
pub fn lists(message: &impl Message, needle: &str) -> bool {
    let bytes = message.encode_to_vec();
    !needle.is_empty() && bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// A unary call whose success is `Seen::Done`.
#[macro_export]
macro_rules! unary {
    ($client:ident, $method:ident, |$call:ident| $request:expr) => {
        Box::new(|$call: $crate::scoping::Call| {
            Box::pin(async move {
                let request = $request;
                $call
                    .server
                    .$client($call.token())
                    .$method(request)
                    .await
                    .map(|_| $crate::scoping::Seen::Done)
            })
        })
    };
}

/// A list call whose answer must name `$needle` to count as seen.
#[macro_export]
macro_rules! listed {
    ($client:ident, $method:ident, |$call:ident| $request:expr, $needle:expr) => {
        Box::new(|$call: $crate::scoping::Call| {
            Box::pin(async move {
                let request = $request;
                let needle: String = $needle;
                $call
                    .server
                    .$client($call.token())
                    .$method(request)
                    .await
                    .map(|r| $crate::scoping::Seen::Listed($crate::scoping::lists(&r.into_inner(), &needle)))
            })
        })
    };
}

fn expected(method: &str, reach: Reach, caller: &Caller) -> bool {
    if !policy::allows(method, &[caller.role]) {
        return false;
    }
    let within = matches!(caller.relation, Relation::Same | Relation::Ancestor);
    match reach {
        Reach::Open => true,
        Reach::Within => within,
        Reach::Root => false,
        Reach::OwnAdmin => within && caller.role == Role::Admin,
        Reach::Subject => caller.relation != Relation::Sibling,
    }
}

/// Whether an answer let the caller through.
fn passed(answer: &Answer) -> bool {
    match answer {
        Ok(Seen::Done) | Ok(Seen::Listed(true)) => true,
        Ok(Seen::Listed(false)) => false,
        Err(status) => !matches!(status.code(), Code::PermissionDenied | Code::NotFound),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_method_every_role_every_relation_matches_the_table() {
    // With the portal's simulator and the notifications' servers, so that
    // the sync and the notifications have a dossier to show.
    let (_mail, _sms, notifications) = eiso_tests::notify::sinks().await;
    let (portal, server) = TestServer::with_portal_and(|config| config.notifications = Some(notifications)).await;
    let root = server.root_unit().await.name;
    let district = server.create_unit("D", "Phòng GD&ĐT", &root).await.name;
    let s1 = server.create_unit("S1", "Trường Tiểu học số 1", &district).await.name;
    let s1a = server.create_unit("S1A", "Tổ chuyên môn", &s1).await.name;
    let s2 = server.create_unit("S2", "Trường Tiểu học số 2", &district).await.name;
    let units = Units {
        s1: s1.clone(),
        s1a: s1a.clone(),
    };

    // The setup user holds every role at the root: it makes the fixtures.
    let every_role: Vec<(Role, &str)> = ALL_ROLES.iter().map(|r| (*r, root.as_str())).collect();
    let (_, setup) = server.user_with_bindings("setup", &every_role).await;
    let (reviewer, reviewer_token) = server.user_with_bindings("setup-reviewer", &every_role).await;

    let mut callers = Vec::new();
    for role in ALL_ROLES {
        for relation in RELATIONS {
            let unit = match relation {
                Relation::Same => &s1,
                Relation::Ancestor => &district,
                Relation::Descendant => &s1a,
                Relation::Sibling => &s2,
            };
            let username = format!("{}-{relation:?}", role.as_str_name())
                .to_lowercase()
                .replace('_', "-");
            let (user, token) = server.user_with_bindings(&username, &[(role, unit)]).await;
            callers.push(Caller {
                role,
                relation,
                user: user.name,
                token,
            });
        }
    }

    let documents = documents::fixture(&server, &units, &setup, (&reviewer.name, &reviewer_token), &callers).await;
    let procedures = procedures::fixture(&server, &units, &setup).await;
    let fixture = Fixture {
        identity: identity::fixture(&server, &units).await,
        sync: sync::fixture(&server, &setup, &procedures.dossier).await,
        notify: notify::fixture(&server, &setup, &procedures.dossier).await,
        procedures,
        plans: plans::fixture(&server, &units, &setup, &documents.effective).await,
        quality: quality::fixture(&server, &units, &setup, &callers).await,
        documents,
    };
    // Search sees what the streams carried by now.
    identity::wait_for_index(&server, &setup).await;

    let cases: Vec<Case> = [
        identity::cases(),
        documents::cases(),
        procedures::cases(),
        plans::cases(),
        quality::cases(),
        sync::cases(),
        notify::cases(),
    ]
    .into_iter()
    .flatten()
    .collect();

    // Every method of the API has a row, and every row a case.
    let methods = eiso_proto::all_methods().unwrap();
    let missing_rows: Vec<_> = methods
        .iter()
        .filter(|m| table::reach(m).is_none() && !table::NOT_SCOPED.iter().any(|(n, _)| n == m))
        .collect();
    let with_case: Vec<&str> = cases.iter().map(|c| c.method).collect();
    let missing_cases: Vec<_> = table::TABLE
        .iter()
        .map(|(m, _)| *m)
        .filter(|m| !with_case.contains(m))
        .collect();

    let server = Arc::new(server);
    let units = Arc::new(units);
    let fixture = Arc::new(fixture);
    let mut mismatches = Vec::new();
    let mut checked = 0;
    for case in &cases {
        let reach = table::reach(case.method).unwrap_or_else(|| panic!("{} has a case but no row", case.method));
        // Refusals first (see the module's comment).
        let mut order: Vec<&Caller> = callers.iter().collect();
        order.sort_by_key(|c| expected(case.method, reach, c));
        let mut allowed_once = false;
        for caller in order {
            let want = expected(case.method, reach, caller);
            let answer = (case.run)(Call {
                server: server.clone(),
                units: units.clone(),
                fixture: fixture.clone(),
                caller: caller.clone(),
            })
            .await;
            let mut got = passed(&answer);
            if want && !got && allowed_once && matches!(&answer, Err(s) if s.code() == Code::NotFound) {
                // Gone by an earlier allowed call (a deleted file, a dissolved unit).
                got = true;
            }
            if want && answer.is_ok() {
                allowed_once = true;
            }
            checked += 1;
            if got != want {
                mismatches.push(format!(
                    "{} as {:?} bound at the {:?}: expected {}, got {:?}",
                    case.method,
                    caller.role,
                    caller.relation,
                    if want { "through" } else { "refused" },
                    answer.map_err(|s| format!("{:?}: {}", s.code(), s.message()))
                ));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {checked} calls disagree with the table:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert!(missing_rows.is_empty(), "methods without a row: {missing_rows:?}");
    assert!(missing_cases.is_empty(), "rows without a case: {missing_cases:?}");

    // The root's administrator does what no other binding may.
    identity::root_administrator_reaches_everything(&server).await;
    if let Ok(server) = Arc::try_unwrap(server) {
        server.stop().await;
    }
    portal.shutdown().await;
}
