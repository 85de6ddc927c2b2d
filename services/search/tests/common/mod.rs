//! What the search crate's integration tests share: an in-memory event stream
//! over items, a small unit tree, principals, and waiting for the index.

#![allow(dead_code, clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{TimeZone, Utc};
use eiso_platform::directory::{Directory, DirectoryUnit, DirectoryUser};
use eiso_platform::{Principal, ServiceError, ServiceResult};
use eiso_proto::eiso::event::v1::Event;
use eiso_proto::eiso::identity::v1::{Role, UnitKind};
use eiso_search::engine::RebuildState;
use eiso_search::query::SearchQuery;
use eiso_search::source::Answer;
use eiso_search::{Change, Search, SearchItem, Source, readers};
use futures::stream::{BoxStream, StreamExt};
use tokio::sync::watch;

/// How `changes` goes wrong for a poisoned item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Poison {
    /// An error, every time.
    Fail,
    /// A panic, every time.
    Panic,
    /// It never returns: the process "dies" while it is in flight.
    Hang,
}

/// A stream of events over items held in memory: `changes` gives each
/// touched item's current state, as the real sources do.
pub struct MemorySource {
    pub name: &'static str,
    pub state: Mutex<(Vec<Event>, HashMap<String, SearchItem>)>,
    pub head: watch::Sender<i64>,
    pub poisoned: Mutex<HashMap<String, Poison>>,
    /// Calls of `changes` that met a poisoned item.
    pub poison_calls: watch::Sender<u32>,
}

impl MemorySource {
    pub fn new(name: &'static str) -> Arc<Self> {
        Arc::new(Self {
            name,
            state: Mutex::new((Vec::new(), HashMap::new())),
            head: watch::channel(0).0,
            poisoned: Mutex::new(HashMap::new()),
            poison_calls: watch::channel(0).0,
        })
    }

    pub fn poison(&self, name: &str, how: Poison) {
        self.poisoned.lock().unwrap().insert(name.to_string(), how);
    }

    pub fn heal(&self, name: &str) {
        self.poisoned.lock().unwrap().remove(name);
    }

    pub fn poison_calls(&self) -> u32 {
        *self.poison_calls.borrow()
    }

    pub fn put(&self, item: SearchItem) {
        let mut state = self.state.lock().unwrap();
        let sequence = state.0.len() as i64 + 1;
        state.0.push(Event {
            sequence,
            resource: item.name.clone(),
            r#type: "test.item.changed".into(),
            ..Default::default()
        });
        state.1.insert(item.name.clone(), item);
        drop(state);
        self.head.send_replace(sequence);
    }

    pub fn delete(&self, name: &str) {
        let mut state = self.state.lock().unwrap();
        let sequence = state.0.len() as i64 + 1;
        state.0.push(Event {
            sequence,
            resource: name.to_string(),
            r#type: "test.item.deleted".into(),
            ..Default::default()
        });
        state.1.remove(name);
        drop(state);
        self.head.send_replace(sequence);
    }
}

impl Source for MemorySource {
    fn stream(&self) -> &'static str {
        self.name
    }

    /// The events after `after` known now; the stream then ends and the
    /// follower watches again after its pause (enough for these tests).
    fn watch(&self, after: i64) -> BoxStream<'static, ServiceResult<Event>> {
        let events = self.state.lock().unwrap().0.clone();
        futures::stream::iter(events.into_iter().filter(move |e| e.sequence > after).map(Ok)).boxed()
    }

    fn head(&self) -> Answer<'_, i64> {
        let head = *self.head.borrow();
        Box::pin(async move { Ok(head) })
    }

    fn changes<'a>(&'a self, events: &'a [Event]) -> Answer<'a, Vec<Change>> {
        Box::pin(async move {
            let poison = {
                let poisoned = self.poisoned.lock().unwrap();
                events.iter().find_map(|e| poisoned.get(&e.resource).copied())
            };
            if let Some(poison) = poison {
                self.poison_calls.send_modify(|n| *n += 1);
                match poison {
                    Poison::Fail => return Err(ServiceError::Internal("the item cannot be read".into())),
                    Poison::Panic => panic!("the item's loader panicked"),
                    Poison::Hang => futures::future::pending::<()>().await,
                }
            }
            let state = self.state.lock().unwrap();
            Ok(events
                .iter()
                .map(|e| match state.1.get(&e.resource) {
                    Some(item) => Change::Upsert(Box::new(item.clone())),
                    None => Change::Delete(e.resource.clone()),
                })
                .collect())
        })
    }
}

/// Units: `units/root` ← `units/a` ← `units/a1`; `units/root` ← `units/b`.
pub struct Units;

impl Directory for Units {
    fn user<'a>(&'a self, _: &'a str) -> eiso_platform::links::Answer<'a, Option<DirectoryUser>> {
        Box::pin(async { Ok(None) })
    }
    fn unit<'a>(&'a self, _: &'a str) -> eiso_platform::links::Answer<'a, Option<DirectoryUnit>> {
        Box::pin(async { Ok(None) })
    }
    fn users_in_unit<'a>(&'a self, _: &'a str) -> eiso_platform::links::Answer<'a, Vec<DirectoryUser>> {
        Box::pin(async { Ok(Vec::new()) })
    }
    fn ancestors<'a>(&'a self, unit: &'a str) -> eiso_platform::links::Answer<'a, Vec<String>> {
        let chain: Vec<String> = match unit {
            "units/a1" => vec!["units/a1", "units/a", "units/root"],
            "units/a" => vec!["units/a", "units/root"],
            "units/b" => vec!["units/b", "units/root"],
            _ => vec!["units/root"],
        }
        .into_iter()
        .map(String::from)
        .collect();
        Box::pin(async move { Ok(chain) })
    }
    fn subtree<'a>(&'a self, unit: &'a str) -> eiso_platform::links::Answer<'a, Vec<String>> {
        let below: Vec<String> = match unit {
            "units/root" => vec!["units/root", "units/a", "units/a1", "units/b"],
            "units/a" => vec!["units/a", "units/a1"],
            other => vec![other],
        }
        .into_iter()
        .map(String::from)
        .collect();
        Box::pin(async move { Ok(below) })
    }
    fn units_of_kinds<'a>(&'a self, _: &'a str, _: &'a [UnitKind]) -> eiso_platform::links::Answer<'a, Vec<String>> {
        Box::pin(async { Ok(Vec::new()) })
    }
    fn bindings<'a>(&'a self, _: &'a str) -> eiso_platform::links::Answer<'a, Vec<(Role, String)>> {
        Box::pin(async { Ok(Vec::new()) })
    }
}

pub fn principal(role: Role, unit: &str) -> Principal {
    Principal {
        name: "users/test".into(),
        display_name: "Test".into(),
        username: "test".into(),
        bindings: vec![(role, unit.to_string())],
        issue_time: Utc::now(),
        expire_time: Utc::now() + chrono::Duration::hours(1),
    }
}

pub fn item(name: &str, title: &str, body: &str) -> SearchItem {
    SearchItem {
        name: name.to_string(),
        kind: "document".into(),
        title: title.to_string(),
        body: body.to_string(),
        personal: String::new(),
        unit: "units/a".into(),
        item_type: "procedure".into(),
        status: "effective".into(),
        readers: vec![readers::EVERYONE.to_string()],
        update_time: Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap(),
    }
}

pub async fn open(dir: &std::path::Path, sources: &[Arc<MemorySource>]) -> Search {
    let sources: Vec<Arc<dyn Source>> = sources.iter().map(|s| s.clone() as Arc<dyn Source>).collect();
    Search::open(dir, sources, Arc::new(Units), vec![Role::CounterStaff])
        .await
        .unwrap()
}

/// Waits until every stream's committed cursor reaches its head.
pub async fn caught_up(search: &Search) {
    for _ in 0..200 {
        let status = search.status().await.unwrap();
        if status.streams.iter().all(|s| s.indexed >= s.head) && status.rebuild.state != RebuildState::Running {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "the index did not catch up: {:?}",
        search.status().await.unwrap().streams
    );
}

pub async fn names(search: &Search, who: &Principal, text: &str) -> Vec<String> {
    let query = SearchQuery {
        text: text.into(),
        limit: 50,
        ..Default::default()
    };
    search
        .search(who, query)
        .await
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.name)
        .collect()
}
