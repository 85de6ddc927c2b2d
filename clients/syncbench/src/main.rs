//! The portal sync's throughput: `--changes` dossier changes (each dossier
//! received, handed over, completed, returned: four changes) are taken in
//! from a stream as the server's follower takes them, then delivered to the
//! portal's simulator over HTTP in delivery rounds until nothing is due. At
//! the end every dossier must be at the portal with the states 2, 4, 9, 10 in
//! that order. SQLite in a temporary directory by default; `--database-url
//! postgres://…` uses a fresh schema there (dropped at the end).
//!
//!   cargo run --release -p eiso-syncbench -- --changes 100000
//!
//! `--steady 200 --seconds 60` measures instead the lag of the sync in the
//! real `eiso-server` under a steady load of receipts (see [`steady`]); the
//! server binary is the one built next to this one, or `--server-binary`:
//!
//!   cargo build --release -p eiso-server -p eiso-syncbench
//!   target/release/eiso-syncbench --steady 200 --seconds 60

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use eiso_platform::ServiceResult;
use eiso_platform::config::Config;
use eiso_platform::db::{Db, StorageTarget};
use eiso_portal_sim::Simulator;
use eiso_proto::eiso::event::v1::Event;
use eiso_proto::eiso::procedures::v1::{Applicant, ApplicantType, Dossier, DossierStatus};
use eiso_proto::prost::Message;
use eiso_proto::prost_types::{Any, Timestamp};
use eiso_sync::delivery::{Delivery, Lookups, Retry};
use eiso_sync::record::{Handler, Names};
use eiso_sync::{Portal, PortalConfig};

mod server;
mod steady;

#[derive(Parser)]
struct Args {
    /// Dossier changes in all (four a dossier).
    #[arg(long, default_value_t = 100_000)]
    changes: u64,
    /// A PostgreSQL database to keep the sync's tables in (a fresh schema);
    /// with `--steady`, where to make a fresh database for the server.
    #[arg(long)]
    database_url: Option<String>,
    /// Receipts a second through a running `eiso-server`, measuring the
    /// sync's lag instead of its throughput.
    #[arg(long, value_name = "RECEIPTS_PER_SECOND")]
    steady: Option<u32>,
    /// With `--steady`: how long the load lasts.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// With `--steady`: connections receiving at once.
    #[arg(long, default_value_t = 16)]
    clients: usize,
    /// With `--steady`: the server's delivery interval (`[portal]
    /// interval_seconds`; the server's default is 5).
    #[arg(long, default_value_t = 1)]
    interval_seconds: u64,
    /// With `--steady`: the `eiso-server` binary [default: the one next to
    /// this program].
    #[arg(long)]
    server_binary: Option<std::path::PathBuf>,
}

/// The names the catalogue and the directory would give.
struct Fixed;

#[eiso_proto::tonic::async_trait]
impl Lookups for Fixed {
    async fn names(&self, _dossier: &Dossier) -> ServiceResult<Names> {
        Ok(Names {
            procedure_code: "2.002481".into(),
            procedure_name: "Chuyển trường đối với học sinh trung học cơ sở".into(),
            field_name: "Giáo dục trung học".into(),
            agency_name: "Phòng Giáo dục và Đào tạo".into(),
            ..Default::default()
        })
    }

    async fn handler(&self, user: &str) -> Handler {
        Handler {
            name: user.into(),
            ..Default::default()
        }
    }

    async fn applicant(&self, _dossier: &Dossier) -> ServiceResult<Option<Applicant>> {
        Ok(Some(Applicant {
            full_name: "Nguyễn Văn An".into(),
            r#type: ApplicantType::Citizen as i32,
            ..Default::default()
        }))
    }
}

const STEPS: [(DossierStatus, &str); 4] = [
    (DossierStatus::Received, "received"),
    (DossierStatus::InProgress, "handed_over"),
    (DossierStatus::Completed, "completed"),
    (DossierStatus::Returned, "returned"),
];

fn event(sequence: i64, dossier: u64, step: usize) -> Event {
    let received = 1_767_225_600 + dossier as i64 * 60;
    let (status, kind) = STEPS[step];
    let at = |seconds: i64| Some(Timestamp { seconds, nanos: 0 });
    let d = Dossier {
        name: format!("dossiers/bench-{dossier}"),
        code: format!("H31-BENCH-{dossier:07}"),
        agency: "units/pgd".into(),
        status: status as i32,
        receive_time: at(received),
        appointment_time: at(received + 3 * 86_400),
        complete_time: (step >= 2).then_some(Timestamp {
            seconds: received + 86_400,
            nanos: 0,
        }),
        return_time: (step >= 3).then_some(Timestamp {
            seconds: received + 2 * 86_400,
            nanos: 0,
        }),
        result_summary: if step >= 2 { "Đồng ý".into() } else { String::new() },
        ..Default::default()
    };
    Event {
        sequence,
        r#type: format!("procedures.dossier.{kind}"),
        resource: d.name.clone(),
        create_time: at(received + step as i64 * 3600),
        payload: Some(Any {
            type_url: "type.googleapis.com/eiso.procedures.v1.Dossier".into(),
            value: d.encode_to_vec(),
        }),
        actor: "users/bench".into(),
    }
}

/// The backend's name for the report.
fn backend(database_url: Option<&str>) -> &'static str {
    if database_url.is_some() { "PostgreSQL" } else { "SQLite" }
}

fn per_second(count: u64, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64().max(1e-9)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Some(rate) = args.steady {
        let binary = match args.server_binary.clone() {
            Some(binary) => binary,
            None => server::sibling_binary()?,
        };
        return steady::run(steady::Plan {
            binary: &binary,
            database_url: args.database_url.as_deref(),
            rate,
            seconds: args.seconds,
            clients: args.clients,
            interval_seconds: args.interval_seconds,
        })
        .await;
    }
    let dossiers = (args.changes / 4).max(1);
    let changes = dossiers * 4;
    let dir = tempfile::tempdir()?;
    let schema = format!("syncbench_{}", uuid::Uuid::new_v4().simple());
    let target = match &args.database_url {
        Some(url) => StorageTarget::Postgres {
            url: url.clone(),
            schema: schema.clone(),
        },
        None => StorageTarget::Sqlite {
            path: dir.path().join("sync.db"),
        },
    };
    let db = Db::open::<eiso_migrations::sync::Migrator>(&target, &Config::default())
        .await
        .context("the sync's database")?;
    let simulator =
        Simulator::start(eiso_portal_sim::Config::default().with_account("bench", "bench-password", "000.31.H31"))
            .await?;
    let portal = Arc::new(Portal::new(PortalConfig::new(
        &simulator.url(),
        "bench",
        "bench-password",
        "000.31.H31",
    ))?);
    let delivery = Delivery::new(db.clone(), portal, Arc::new(Fixed), Retry::default());

    // Taken in as the stream brings them: every dossier's first change, then
    // every dossier's second, and so on (each dossier's in its order).
    let started = Instant::now();
    let mut sequence = 0;
    for step in 0..STEPS.len() {
        for dossier in 0..dossiers {
            sequence += 1;
            delivery
                .take_in(&event(sequence, dossier, step), chrono::Utc::now())
                .await?;
        }
    }
    let intake = started.elapsed();

    let started = Instant::now();
    let mut delivered = 0;
    let mut rounds = 0;
    loop {
        let round = delivery.round(chrono::Utc::now()).await?;
        rounds += 1;
        if round.failed > 0 {
            bail!("{} dossiers failed in round {rounds}", round.failed);
        }
        if round.delivered == 0 {
            break;
        }
        delivered += round.delivered;
    }
    let delivery_time = started.elapsed();

    let held = simulator.dossiers();
    let in_order = held.iter().filter(|d| d.states == ["2", "4", "9", "10"]).count() as u64;
    let counters = simulator.counters();
    println!("backend                 {}", backend(args.database_url.as_deref()));
    println!("dossiers                {dossiers}");
    println!("changes                 {changes}");
    println!(
        "taken in                {:.1} s, {:.0} changes/s",
        intake.as_secs_f64(),
        per_second(changes, intake)
    );
    println!(
        "delivered               {delivered} in {:.1} s, {:.0} changes/s ({rounds} rounds)",
        delivery_time.as_secs_f64(),
        per_second(delivered, delivery_time)
    );
    println!("portal calls            {:?}", counters.calls);
    println!("at the portal, in order {in_order}/{dossiers}");
    simulator.shutdown().await;
    if args.database_url.is_some() {
        use sea_orm::ConnectionTrait;
        db.reader()
            .execute_unprepared(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
            .await?;
    }
    if delivered != changes || in_order != dossiers {
        bail!("not every change arrived in order: {delivered}/{changes} delivered, {in_order}/{dossiers} in order");
    }
    Ok(())
}
