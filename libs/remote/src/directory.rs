//! [`Directory`] over identity's gRPC API, for a process that does not host
//! identity: the answers of the in-process directory (identity's
//! `directory.rs`), asked through `GetUser`, `ListUsers`, `GetUnit` and
//! `ListUnits` as the service identity.
//!
//! Users are asked each time: who may do what must not lag. The organisation
//! tree is asked for whole and kept for a few seconds ([`DEFAULT_TREE_TTL`]),
//! since the scope of nearly every call walks it (`ancestors`, `subtree`)
//! and it changes a few times a year. That is safe because it lags by no more
//! than what identity's own verifier already allows for bindings (seconds), a
//! unit is never deleted (merged and dissolved units stay, with their state),
//! and a unit the snapshot does not know yet is asked for and the tree taken
//! again at once, so a new unit is never answered as unknown. The snapshot is
//! bounded by the size of the tree ([`MAX_UNITS`]).

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use eiso_platform::aip::names;
use eiso_platform::directory::{Directory, DirectoryUnit, DirectoryUser, Letterhead};
use eiso_platform::{ServiceError, ServiceResult};
use eiso_proto::eiso::identity::v1::identity_service_client::IdentityServiceClient;
use eiso_proto::eiso::identity::v1::{
    GetUnitRequest, GetUserRequest, ListUnitsRequest, ListUsersRequest, Role, Unit, UnitKind, User, unit, user,
};
use eiso_proto::tonic::{Code, Status};
use tokio::time::Instant;

use crate::error::from_status;
use crate::upstream::Upstream;

pub const GET_USER: &str = "/eiso.identity.v1.IdentityService/GetUser";
pub const LIST_USERS: &str = "/eiso.identity.v1.IdentityService/ListUsers";
pub const GET_UNIT: &str = "/eiso.identity.v1.IdentityService/GetUnit";
pub const LIST_UNITS: &str = "/eiso.identity.v1.IdentityService/ListUnits";

/// How long a snapshot of the organisation tree answers.
pub const DEFAULT_TREE_TTL: Duration = Duration::from_secs(5);
/// The largest tree kept (a country's schools and offices fit many times).
pub const MAX_UNITS: usize = 200_000;
/// Deepest tree followed, as identity follows it.
const MAX_DEPTH: usize = 64;
/// Units or users asked per page (identity's maximum).
const PAGE_SIZE: i32 = 1000;

type Answer<'a, T> = Pin<Box<dyn Future<Output = ServiceResult<T>> + Send + 'a>>;

/// The directory of a remote identity service.
pub struct RemoteDirectory {
    upstream: Arc<Upstream>,
    tree_ttl: Duration,
    current: RwLock<Option<Arc<Tree>>>,
    /// Held while the tree is taken, so that one call takes it and the
    /// others wait for that one.
    taking: tokio::sync::Mutex<()>,
}

/// A unit as the tree keeps it.
#[derive(Debug, Clone)]
struct Node {
    /// The id, without `units/`.
    id: String,
    parent: Option<String>,
    code: String,
    display_name: String,
    kind: i32,
    active: bool,
    place_name: String,
    letterhead: Letterhead,
}

impl Node {
    fn of(unit: Unit) -> Option<Self> {
        let id = unit.name.strip_prefix("units/")?.to_string();
        let parent = unit.parent.strip_prefix("units/").map(str::to_string);
        Some(Self {
            id,
            parent,
            code: unit.code,
            display_name: unit.display_name,
            kind: unit.kind,
            active: unit.state == unit::State::Active as i32,
            place_name: unit.place_name,
            letterhead: Letterhead {
                document_symbol: unit.document_symbol,
                signer_title: unit.signer_title,
                signer_name: unit.signer_name,
            },
        })
    }
}

/// The organisation tree as it was at `taken`.
#[derive(Debug)]
struct Tree {
    taken: Instant,
    units: HashMap<String, Node>,
    /// Parent id → child ids.
    children: HashMap<String, Vec<String>>,
}

impl Tree {
    fn new(nodes: Vec<Node>) -> Self {
        let mut tree = Self {
            taken: Instant::now(),
            units: HashMap::with_capacity(nodes.len()),
            children: HashMap::new(),
        };
        for node in nodes {
            tree.insert(node);
        }
        tree
    }

    /// Adds `node` unless it is there (a unit seen twice while paging is one unit).
    fn insert(&mut self, node: Node) {
        if self.units.contains_key(&node.id) {
            return;
        }
        if let Some(parent) = &node.parent {
            self.children.entry(parent.clone()).or_default().push(node.id.clone());
        }
        self.units.insert(node.id.clone(), node);
    }

    fn fresh(&self, ttl: Duration) -> bool {
        self.taken.elapsed() < ttl
    }

    /// `id` and the units above it, nearest first, as `units/{id}` (the
    /// in-process `unit_ancestors`).
    fn ancestors(&self, id: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut cursor = Some(id);
        while let Some(id) = cursor {
            if out.len() >= MAX_DEPTH {
                break;
            }
            out.push(format!("units/{id}"));
            cursor = self.units.get(id).and_then(|u| u.parent.as_deref());
        }
        out
    }

    /// `root` and the ids below it, breadth first; below `root`, only active
    /// units (and only through them) when `active_only` (identity's
    /// `descendants`).
    fn descendants(&self, root: &str, active_only: bool) -> Vec<String> {
        let mut units = vec![root.to_string()];
        let mut seen: HashSet<&str> = HashSet::from([root]);
        let mut frontier = vec![root];
        for _ in 0..MAX_DEPTH {
            if frontier.is_empty() {
                break;
            }
            let mut next = Vec::new();
            for parent in frontier {
                for child in self.children.get(parent).into_iter().flatten() {
                    let active = self.units.get(child).is_some_and(|u| u.active);
                    if (active || !active_only) && seen.insert(child) {
                        next.push(child.as_str());
                    }
                }
            }
            units.extend(next.iter().map(|id| id.to_string()));
            frontier = next;
        }
        units
    }

    /// Where the unit's documents are dated: its own place name or the
    /// nearest one above (identity's `unit_summary`).
    fn place_name(&self, node: &Node) -> String {
        let mut place_name = node.place_name.clone();
        let mut parent = node.parent.as_deref();
        let mut depth = 0;
        while place_name.is_empty()
            && let Some(id) = parent
            && depth < MAX_DEPTH
        {
            let above = self.units.get(id);
            place_name = above.map(|u| u.place_name.clone()).unwrap_or_default();
            parent = above.and_then(|u| u.parent.as_deref());
            depth += 1;
        }
        place_name
    }
}

fn identity(
    channel: eiso_proto::tonic::transport::Channel,
) -> IdentityServiceClient<eiso_proto::tonic::transport::Channel> {
    IdentityServiceClient::new(channel)
}

/// `Ok(None)` for NOT_FOUND, the error for any other failure.
fn found<T>(answer: Result<T, Status>) -> ServiceResult<Option<T>> {
    match answer {
        Ok(found) => Ok(Some(found)),
        Err(status) if status.code() == Code::NotFound => Ok(None),
        Err(status) => Err(from_status(&status)),
    }
}

fn directory_user(user: User) -> DirectoryUser {
    DirectoryUser {
        active: user.state == user::State::Active as i32,
        name: user.name,
        display_name: user.display_name,
    }
}

impl RemoteDirectory {
    pub fn new(upstream: Arc<Upstream>) -> Self {
        Self {
            upstream,
            tree_ttl: DEFAULT_TREE_TTL,
            current: RwLock::new(None),
            taking: tokio::sync::Mutex::new(()),
        }
    }

    /// The same directory keeping the organisation tree for `ttl` (zero:
    /// taking it for every question).
    pub fn with_tree_ttl(mut self, ttl: Duration) -> Self {
        self.tree_ttl = ttl;
        self
    }

    fn current(&self) -> Option<Arc<Tree>> {
        self.current.read().ok().and_then(|tree| tree.clone())
    }

    /// The tree, taken again when the snapshot is older than the TTL.
    async fn tree(&self) -> ServiceResult<Arc<Tree>> {
        match self.current() {
            Some(tree) if tree.fresh(self.tree_ttl) => Ok(tree),
            _ => self.take_tree(None, None).await,
        }
    }

    /// A tree that has the unit `id` if it exists: the snapshot, or, when
    /// the unit was made after the snapshot was taken, a new one.
    async fn tree_with(&self, id: &str) -> ServiceResult<Arc<Tree>> {
        let tree = self.tree().await?;
        if tree.units.contains_key(id) {
            return Ok(tree);
        }
        match self.get_unit(id).await? {
            None => Ok(tree),
            Some(unit) => self.take_tree(Some(unit), Some(tree.taken)).await,
        }
    }

    /// Takes the tree (one taker at a time): unless, by the time it is this
    /// call's turn, another has taken one that is fresh, newer than
    /// `newer_than` and holds `wanted`. `wanted` is added if the listing
    /// missed it.
    async fn take_tree(&self, wanted: Option<Node>, newer_than: Option<Instant>) -> ServiceResult<Arc<Tree>> {
        let _turn = self.taking.lock().await;
        if let Some(tree) = self.current()
            && tree.fresh(self.tree_ttl)
            && newer_than.is_none_or(|then| tree.taken > then)
            && wanted.as_ref().is_none_or(|n| tree.units.contains_key(&n.id))
        {
            return Ok(tree);
        }
        let mut tree = self.list_units().await?;
        if let Some(node) = wanted {
            tree.insert(node);
        }
        let tree = Arc::new(tree);
        if let Ok(mut current) = self.current.write() {
            *current = Some(tree.clone());
        }
        Ok(tree)
    }

    /// Every unit, page by page, oldest first (units made while paging come
    /// last, so none is skipped).
    async fn list_units(&self) -> ServiceResult<Tree> {
        let mut nodes = Vec::new();
        let mut page_token = String::new();
        loop {
            let request = ListUnitsRequest {
                page_size: PAGE_SIZE,
                page_token,
                filter: String::new(),
                order_by: "create_time".into(),
            };
            let page = self
                .upstream
                .call(LIST_UNITS, request, |channel, request| async move {
                    identity(channel).list_units(request).await
                })
                .await
                .map_err(|status| from_status(&status))?;
            let empty = page.units.is_empty();
            nodes.extend(page.units.into_iter().filter_map(Node::of));
            if nodes.len() > MAX_UNITS {
                return Err(ServiceError::Internal(format!(
                    "{} has more than {MAX_UNITS} units, more than a remote directory keeps",
                    self.upstream.url()
                )));
            }
            if page.next_page_token.is_empty() || empty {
                break;
            }
            page_token = page.next_page_token;
        }
        Ok(Tree::new(nodes))
    }

    /// The unit `units/{id}` as identity has it now.
    async fn get_unit(&self, id: &str) -> ServiceResult<Option<Node>> {
        let request = GetUnitRequest {
            name: format!("units/{id}"),
        };
        let answer = self
            .upstream
            .call(GET_UNIT, request, |channel, request| async move {
                identity(channel).get_unit(request).await
            })
            .await;
        Ok(found(answer)?.and_then(Node::of))
    }

    async fn get_user(&self, name: &str) -> ServiceResult<Option<User>> {
        let request = GetUserRequest { name: name.to_string() };
        let answer = self
            .upstream
            .call(GET_USER, request, |channel, request| async move {
                identity(channel).get_user(request).await
            })
            .await;
        found(answer)
    }

    /// Every user `filter` selects, in `order_by`, page by page.
    async fn list_users(&self, filter: String, order_by: &str) -> ServiceResult<Vec<User>> {
        let mut users = Vec::new();
        let mut page_token = String::new();
        loop {
            let request = ListUsersRequest {
                page_size: PAGE_SIZE,
                page_token,
                filter: filter.clone(),
                order_by: order_by.to_string(),
            };
            let page = self
                .upstream
                .call(LIST_USERS, request, |channel, request| async move {
                    identity(channel).list_users(request).await
                })
                .await
                .map_err(|status| from_status(&status))?;
            let empty = page.users.is_empty();
            users.extend(page.users);
            if page.next_page_token.is_empty() || empty {
                break;
            }
            page_token = page.next_page_token;
        }
        Ok(users)
    }
}

impl Directory for RemoteDirectory {
    fn user<'a>(&'a self, name: &'a str) -> Answer<'a, Option<DirectoryUser>> {
        Box::pin(async move {
            if names::parse(name, "users", "user").is_err() {
                return Ok(None);
            }
            Ok(self.get_user(name).await?.map(directory_user))
        })
    }

    fn unit<'a>(&'a self, name: &'a str) -> Answer<'a, Option<DirectoryUnit>> {
        Box::pin(async move {
            let Ok(id) = names::parse(name, "units", "unit") else {
                return Ok(None);
            };
            let tree = self.tree_with(&id).await?;
            Ok(tree.units.get(&id).map(|node| DirectoryUnit {
                name: format!("units/{}", node.id),
                code: node.code.clone(),
                display_name: node.display_name.clone(),
                active: node.active,
                place_name: tree.place_name(node),
                letterhead: node.letterhead.clone(),
            }))
        })
    }

    fn users_in_unit<'a>(&'a self, name: &'a str) -> Answer<'a, Vec<DirectoryUser>> {
        Box::pin(async move {
            let Ok(id) = names::parse(name, "units", "unit") else {
                return Ok(Vec::new());
            };
            // Identity walks the active units below and orders by its
            // database's collation, as the in-process directory does.
            let filter = format!("within_unit = \"units/{id}\" AND state = \"STATE_ACTIVE\"");
            let users = self.list_users(filter, "display_name").await?;
            Ok(users.into_iter().map(directory_user).collect())
        })
    }

    fn ancestors<'a>(&'a self, unit: &'a str) -> Answer<'a, Vec<String>> {
        Box::pin(async move {
            let Ok(id) = names::parse(unit, "units", "unit") else {
                return Ok(Vec::new());
            };
            Ok(self.tree_with(&id).await?.ancestors(&id))
        })
    }

    fn subtree<'a>(&'a self, unit: &'a str) -> Answer<'a, Vec<String>> {
        Box::pin(async move {
            let Ok(id) = names::parse(unit, "units", "unit") else {
                return Ok(Vec::new());
            };
            let tree = self.tree_with(&id).await?;
            if !tree.units.contains_key(&id) {
                return Ok(Vec::new());
            }
            Ok(tree
                .descendants(&id, false)
                .into_iter()
                .map(|id| format!("units/{id}"))
                .collect())
        })
    }

    fn units_of_kinds<'a>(&'a self, unit: &'a str, kinds: &'a [UnitKind]) -> Answer<'a, Vec<String>> {
        Box::pin(async move {
            if kinds.is_empty() {
                return Ok(Vec::new());
            }
            let Ok(id) = names::parse(unit, "units", "unit") else {
                return Ok(Vec::new());
            };
            let tree = self.tree_with(&id).await?;
            let mut found: Vec<(&str, &str)> = tree
                .descendants(&id, true)
                .iter()
                .filter_map(|id| tree.units.get(id))
                .filter(|u| u.active && kinds.iter().any(|kind| *kind as i32 == u.kind))
                .map(|u| (u.display_name.as_str(), u.id.as_str()))
                .collect();
            // By display name, then id, byte by byte, as identity sorts them.
            found.sort();
            Ok(found.into_iter().map(|(_, id)| format!("units/{id}")).collect())
        })
    }

    fn bindings<'a>(&'a self, user: &'a str) -> Answer<'a, Vec<(Role, String)>> {
        Box::pin(async move {
            if names::parse(user, "users", "user").is_err() {
                return Ok(Vec::new());
            }
            let Some(found) = self.get_user(user).await? else {
                return Ok(Vec::new());
            };
            // A role this build does not know is no role here (as identity
            // itself reads its bindings).
            Ok(found
                .role_bindings
                .into_iter()
                .filter_map(|b| Role::try_from(b.role).ok().map(|role| (role, b.unit)))
                .collect())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: &str, parent: Option<&str>, active: bool, place_name: &str) -> Node {
        Node {
            id: id.into(),
            parent: parent.map(str::to_string),
            code: id.to_uppercase(),
            display_name: id.into(),
            kind: UnitKind::Office as i32,
            active,
            place_name: place_name.into(),
            letterhead: Letterhead::default(),
        }
    }

    /// root ─ office ─ team
    ///      │        └ merged (not active) ─ orphan
    ///      └ sibling
    fn tree() -> Tree {
        Tree::new(vec![
            node("root", None, true, "Hải Phòng"),
            node("office", Some("root"), true, ""),
            node("team", Some("office"), true, "An Dương"),
            node("merged", Some("office"), false, ""),
            node("orphan", Some("merged"), true, ""),
            node("sibling", Some("root"), true, ""),
            node("office", Some("sibling"), true, "seen twice while paging"),
        ])
    }

    #[test]
    fn ancestors_run_to_the_root_nearest_first() {
        let tree = tree();
        assert_eq!(tree.ancestors("team"), ["units/team", "units/office", "units/root"]);
        assert_eq!(tree.ancestors("root"), ["units/root"]);
        assert_eq!(tree.ancestors("unknown"), ["units/unknown"], "as identity answers");
    }

    #[test]
    fn the_active_walk_stops_at_inactive_units() {
        let tree = tree();
        let mut all = tree.descendants("office", false);
        all.sort();
        assert_eq!(all, ["merged", "office", "orphan", "team"]);
        assert_eq!(tree.descendants("office", true), ["office", "team"]);
        assert_eq!(
            tree.descendants("merged", true),
            ["merged", "orphan"],
            "the root itself counts"
        );
        assert_eq!(tree.descendants("root", false)[0], "root");
    }

    #[test]
    fn place_names_are_inherited_from_the_nearest_unit_above() {
        let tree = tree();
        let place = |id: &str| tree.place_name(&tree.units[id]);
        assert_eq!(place("team"), "An Dương");
        assert_eq!(place("office"), "Hải Phòng");
        assert_eq!(place("orphan"), "Hải Phòng");
        assert_eq!(
            tree.units["office"].parent.as_deref(),
            Some("root"),
            "the first seen is kept"
        );
    }

    #[test]
    fn a_cycle_does_not_hang_the_walks() {
        let tree = Tree::new(vec![node("a", Some("b"), true, ""), node("b", Some("a"), true, "")]);
        assert_eq!(tree.ancestors("a").len(), MAX_DEPTH);
        let mut below = tree.descendants("a", false);
        below.sort();
        assert_eq!(below, ["a", "b"]);
        assert_eq!(tree.place_name(&tree.units["a"]), "");
    }
}
