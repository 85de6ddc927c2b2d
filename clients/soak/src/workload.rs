//! One client: a loop of identity-service calls on its own connection until
//! the deadline.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use eiso_benchkit::splitmix::SplitMix64;
use eiso_proto::eiso::identity::v1::identity_service_client::IdentityServiceClient;
use eiso_proto::eiso::identity::v1::{
    CreateUnitRequest, CreateUserRequest, GetUnitRequest, ListUnitsRequest, Unit, UnitKind, UpdateUnitRequest, User,
};
use eiso_proto::prost_types::FieldMask;
use eiso_proto::tonic::service::interceptor::InterceptedService;
use eiso_proto::tonic::transport::Channel;
use eiso_proto::tonic::{Code, Status};

use crate::auth::{Auth, BearerInterceptor};
use crate::cli::{Mix, Op};
use crate::report::Stats;

type Identity = IdentityServiceClient<InterceptedService<Channel, BearerInterceptor>>;

/// What every client shares.
pub struct Plan {
    /// Short random id that makes this run's codes and usernames unique.
    pub run_id: String,
    pub mix: Mix,
    pub start: Instant,
    /// No call starts after this; calls under way finish.
    pub deadline: Instant,
    pub auth: Arc<Auth>,
    /// Calls so far, and failed calls so far, for the progress line.
    pub done: AtomicU64,
    pub failed: AtomicU64,
}

/// A unit this client created, for updates and reads.
struct OwnUnit {
    name: String,
    etag: String,
    number: u64,
    updates: u32,
}

/// One prepared call. Prepared before it is sent so that a retry after a
/// re-login sends the very same request (same `request_id`).
enum Call {
    CreateUnit(CreateUnitRequest),
    CreateUser(CreateUserRequest),
    UpdateUnit { slot: usize, request: UpdateUnitRequest },
    ListUnits(ListUnitsRequest),
    GetUnit(GetUnitRequest),
}

enum Reply {
    Created(Unit),
    Updated { slot: usize, unit: Unit },
    Other,
}

/// Runs client number `index` over `channel` until the plan's deadline.
pub async fn run_client(index: u32, channel: Channel, plan: Arc<Plan>, seed: u64) -> Stats {
    let mut client = IdentityServiceClient::with_interceptor(channel, plan.auth.interceptor());
    let mut rng = SplitMix64(seed);
    let mut units: Vec<OwnUnit> = Vec::new();
    let mut stats = Stats::default();
    let mut serial: u64 = 0;

    while Instant::now() < plan.deadline {
        serial += 1;
        let mut op = plan.mix.pick(rng.next_u64());
        if matches!(op, Op::UpdateUnit | Op::GetUnit) && units.is_empty() {
            // Nothing of our own to update or read yet.
            op = Op::CreateUnit;
        }
        let call = prepare(op, &plan.run_id, index, serial, &units, &mut rng);

        let began = Instant::now();
        let generation = plan.auth.generation();
        let mut result = send(&mut client, &call).await;
        if let Err(status) = &result
            && status.code() == Code::Unauthenticated
        {
            // The token expired: sign in again (once for all clients) and retry once.
            result = match plan.auth.refresh(generation).await {
                Ok(()) => send(&mut client, &call).await,
                Err(status) => Err(status),
            };
        }
        let latency = began.elapsed();

        plan.done.fetch_add(1, Ordering::Relaxed);
        match result {
            Ok(reply) => {
                stats.success(op, latency);
                remember(reply, serial, &mut units);
            }
            Err(status) => {
                plan.failed.fetch_add(1, Ordering::Relaxed);
                stats.failure(op, index, began.duration_since(plan.start), &status);
            }
        }
    }
    stats
}

fn prepare(op: Op, run_id: &str, client: u32, serial: u64, units: &[OwnUnit], rng: &mut SplitMix64) -> Call {
    match op {
        Op::CreateUnit => Call::CreateUnit(CreateUnitRequest {
            unit: Some(Unit {
                code: format!("SOAK-{run_id}-{client}-{serial}"),
                display_name: format!("Trường Tiểu học số {serial}"),
                kind: UnitKind::PrimarySchool as i32,
                ..Unit::default()
            }),
            request_id: uuid::Uuid::new_v4().to_string(),
        }),
        Op::CreateUser => Call::CreateUser(CreateUserRequest {
            user: Some(User {
                username: format!("soak-{}-{client}-{serial}", run_id.to_ascii_lowercase()),
                display_name: format!("Nguyễn Thị Thu Hương {client}-{serial}"),
                ..User::default()
            }),
            password: format!("soak-{}", uuid::Uuid::new_v4().simple()),
            request_id: uuid::Uuid::new_v4().to_string(),
        }),
        Op::UpdateUnit => {
            let slot = pick_slot(units, rng);
            let unit = &units[slot];
            Call::UpdateUnit {
                slot,
                request: UpdateUnitRequest {
                    unit: Some(Unit {
                        name: unit.name.clone(),
                        display_name: format!("Trường Tiểu học số {} (cập nhật lần {})", unit.number, unit.updates + 1),
                        ..Unit::default()
                    }),
                    update_mask: Some(FieldMask {
                        paths: vec!["display_name".to_string()],
                    }),
                    etag: unit.etag.clone(),
                },
            }
        }
        Op::ListUnits => Call::ListUnits(ListUnitsRequest {
            page_size: 50,
            ..ListUnitsRequest::default()
        }),
        Op::GetUnit => Call::GetUnit(GetUnitRequest {
            name: units[pick_slot(units, rng)].name.clone(),
        }),
    }
}

fn pick_slot(units: &[OwnUnit], rng: &mut SplitMix64) -> usize {
    // `units` is not empty here: `run_client` creates a unit first.
    (rng.next_u64() % units.len().max(1) as u64) as usize
}

async fn send(client: &mut Identity, call: &Call) -> Result<Reply, Status> {
    Ok(match call {
        Call::CreateUnit(request) => Reply::Created(client.create_unit(request.clone()).await?.into_inner()),
        Call::CreateUser(request) => {
            client.create_user(request.clone()).await?;
            Reply::Other
        }
        Call::UpdateUnit { slot, request } => Reply::Updated {
            slot: *slot,
            unit: client.update_unit(request.clone()).await?.into_inner(),
        },
        Call::ListUnits(request) => {
            client.list_units(request.clone()).await?;
            Reply::Other
        }
        Call::GetUnit(request) => {
            client.get_unit(request.clone()).await?;
            Reply::Other
        }
    })
}

fn remember(reply: Reply, serial: u64, units: &mut Vec<OwnUnit>) {
    match reply {
        Reply::Created(unit) => units.push(OwnUnit {
            name: unit.name,
            etag: unit.etag,
            number: serial,
            updates: 0,
        }),
        Reply::Updated { slot, unit } => {
            if let Some(own) = units.get_mut(slot) {
                own.etag = unit.etag;
                own.updates += 1;
            }
        }
        Reply::Other => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_fit_the_unit_code_rules() {
        // 1–32 characters of letters, digits, `.`, `_` or `-`, even for the largest numbers.
        let code = format!("SOAK-{}-{}-{}", "ABCDEF12", 4095, 99_999_999u64);
        assert!(code.len() <= 32, "{code}");
        assert!(code.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)));
    }

    #[test]
    fn updates_use_the_etag_of_the_last_write() {
        let mut units = Vec::new();
        remember(
            Reply::Created(Unit {
                name: "units/1".into(),
                etag: "e1".into(),
                ..Unit::default()
            }),
            7,
            &mut units,
        );
        let mut rng = SplitMix64(1);
        let Call::UpdateUnit { slot, request } = prepare(Op::UpdateUnit, "RUN", 0, 8, &units, &mut rng) else {
            panic!("an update was asked for");
        };
        assert_eq!(request.etag, "e1");
        assert_eq!(
            request.update_mask.map(|mask| mask.paths),
            Some(vec!["display_name".to_string()])
        );
        assert_eq!(
            request.unit.map(|unit| unit.display_name),
            Some("Trường Tiểu học số 7 (cập nhật lần 1)".to_string())
        );
        remember(
            Reply::Updated {
                slot,
                unit: Unit {
                    etag: "e2".into(),
                    ..Unit::default()
                },
            },
            8,
            &mut units,
        );
        assert_eq!(units[0].etag, "e2");
        assert_eq!(units[0].updates, 1);
    }

    #[test]
    fn creates_send_a_fresh_request_id_and_a_primary_school() {
        let mut rng = SplitMix64(1);
        let Call::CreateUnit(first) = prepare(Op::CreateUnit, "RUN", 3, 1, &[], &mut rng) else {
            panic!("a create was asked for");
        };
        let Call::CreateUnit(second) = prepare(Op::CreateUnit, "RUN", 3, 2, &[], &mut rng) else {
            panic!("a create was asked for");
        };
        assert_ne!(first.request_id, second.request_id);
        let unit = first.unit.unwrap_or_default();
        assert_eq!(unit.code, "SOAK-RUN-3-1");
        assert_eq!(unit.kind, 7);
        assert_eq!(unit.display_name, "Trường Tiểu học số 1");
    }
}
