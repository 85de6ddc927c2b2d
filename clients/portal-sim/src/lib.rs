//! A simulator of the dossier synchronisation endpoint of the National Public
//! Service Portal (Cổng Dịch vụ công quốc gia, DVCQG), for integration tests
//! and the demo: an in-memory portal on a local port, with faults on demand.
//! Nothing in eiso's server depends on it.
//!
//! # The protocol as implemented
//!
//! JSON over plain HTTP `POST` (the real portal is HTTPS). The field names
//! come from OpenCPS `DVCQGIntegrationActionImpl` and a .NET vendor's
//! `SyncLocalDataToDVCQGService`, following "Tài liệu hướng dẫn kết nối, tích
//! hợp, chia sẻ dữ liệu với Cổng DVCQG" v1.4. Protocol errors are HTTP 200
//! with a non-zero `error_code`; every reply carries `error_code` (0 is
//! success) and `message`.
//!
//! - `POST /login`, header `dstcode: <agency>`, `{"username", "password"}` →
//!   `{"error_code": 0, "message", "session"}`. Wrong credentials →
//!   `error_code` 1 "Sai tên đăng nhập hoặc mật khẩu"; no `dstcode` →
//!   1; a `dstcode` other than the account's agency → 403.
//! - `POST /` `{"session", "madonvi", "service", …}`. An unknown or expired
//!   session → 401 "Phiên làm việc hết hạn"; `madonvi` other than the
//!   session's agency → 403; then by `service` (none or unknown → 400):
//!   - `TraCuuHoSo` `{"MaHoSo"}` → `{"result": [dossier]}`, or `[]` when
//!     unknown.
//!   - `DongBoHoSoMC` `{"isUpdating": "True"|"False", "data": [dossier, …]}`.
//!     Creating a `MaHoSo` that exists → 1 "Hồ sơ đã tồn tại"; updating one
//!     that does not → 1 "Hồ sơ không tồn tại"; a field that fails the checks
//!     or a status that may not follow the stored one → 2, the message naming
//!     the dossier and the field (nested ones as `TaiLieuNop[0].TenTepDinhKem`)
//!     or both statuses.
//!   - `CapNhatTienDoHoSoMC` `{"data": [step, …]}`: steps of known dossiers,
//!     exact duplicates of a stored step ignored.
//!
//! Dossier checks: `MaHoSo, MaTTHC, TenTTHC, ChuHoSo, LoaiDoiTuong,
//! NgayTiepNhan, TrangThaiHoSo, DonViXuLy` present and not blank;
//! `LoaiDoiTuong` 1–4, `TrangThaiHoSo` 1–10, `HinhThuc` 0–2,
//! `DanhSachGiayToKetQua[].DuocSoHoa` 0–1; dates `yyyyMMddHHmmss`, exactly 14
//! digits naming a real moment in Vietnam time, in `NgayTiepNhan, NgayHenTra,
//! NgayTra, NgayKetThucXuLy, DanhSachHoSoBoSung[].NgayHenTraTruoc` and
//! `NgayHenTraMoi` when present and not empty; `TaiLieuNop[].TenTepDinhKem`,
//! `DanhSachHoSoBoSung[].HoSoBoSungId`, `DanhSachGiayToKetQua[].TenGiayTo`
//! required in their lists. Progress steps: `MaHoSo, NguoiXuLy, ThoiDiemXuLy,
//! NoiDungXuLy` required; `ThoiDiemXuLy, NgayBatDau, NgayKetThucTheoQuyDinh`
//! dates. Status transitions: free among 1, 2, 4, 5, 6 and from them into 3,
//! 7, 8, 9, 10; from 9 only to 10; 3, 7, 8, 10 final; the same status again is
//! always accepted.
//!
//! # Assumptions (where the guide is silent)
//!
//! - Every value is a JSON string; a number where text is expected is
//!   refused (`null` counts as absent). Fields the simulator does not know are
//!   kept and returned as sent.
//! - `isUpdating` is exactly `"True"` or `"False"`. Creating an existing
//!   dossier is refused even when identical; re-sending an identical dossier
//!   as an update succeeds and changes nothing (not counted as an update).
//! - A `data` array is taken whole or not at all: the first refused item
//!   refuses the call.
//! - A session lasts a fixed time from sign-in ([`Config::session_lifetime`]);
//!   calls do not extend it. Dossiers belong to the agency that created them:
//!   another agency's lookup, update or progress step gets 403.
//!
//! # Faults and inspection
//!
//! Through the [`Simulator`] handle or the control API under `/_sim/` (JSON,
//! never affected by faults): `POST /_sim/fail_next`
//! `{"count": n, "fault": Fault}`, `POST /_sim/down` `{"down": bool}`,
//! `POST /_sim/advance_clock` `{"millis": n}`, `POST /_sim/reset`,
//! `GET /_sim/dossiers`, `GET /_sim/dossiers/{MaHoSo}`, `GET /_sim/counters`.
//! While down, every portal call gets HTTP 503. See [`Fault`] for the faults.

mod config;
mod http;
mod portal;
mod rules;
mod state;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use crate::config::{Account, AccountSpecError, Config};
use crate::state::Shared;
pub use crate::state::{Counters, DossierRecord, Fault, Refusal};

/// A running simulator. Dropping the handle stops it too (without waiting).
pub struct Simulator {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    server: JoinHandle<()>,
}

impl Simulator {
    /// Binds `config.listen` and serves until [`Simulator::shutdown`].
    pub async fn start(config: Config) -> std::io::Result<Simulator> {
        let listener = TcpListener::bind(config.listen).await?;
        Self::serve(&config, listener)
    }

    /// Serves on a listener already bound (`config.listen` is not used).
    pub fn serve(config: &Config, listener: TcpListener) -> std::io::Result<Simulator> {
        let addr = listener.local_addr()?;
        let (stop, stopping) = watch::channel(false);
        let shared = Arc::new(Shared::new(config, stopping.clone()));
        let app = http::router(Arc::clone(&shared));
        let server = tokio::spawn(async move {
            let mut stopping = stopping;
            let stopped = async move {
                // An error is the handle dropped: stop as well.
                let _ = stopping.wait_for(|stopping| *stopping).await;
            };
            if let Err(error) = axum::serve(listener, app).with_graceful_shutdown(stopped).await {
                tracing::error!(%error, "the portal simulator stopped serving");
            }
        });
        Ok(Self {
            shared,
            addr,
            stop,
            server,
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://{addr}`, without a trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Gives each of the next `count` portal calls `fault`, after the faults
    /// already queued; returns how many are queued now.
    pub fn fail_next(&self, count: u32, fault: Fault) -> usize {
        self.shared.fail_next(count, &fault)
    }

    /// While down, every portal call gets HTTP 503.
    pub fn set_down(&self, down: bool) {
        self.shared.set_down(down);
    }

    /// Moves the simulator's clock forward (sessions expire by it).
    pub fn advance_clock(&self, by: Duration) {
        self.shared.advance_clock(by);
    }

    /// One dossier with its states and progress steps.
    pub fn dossier(&self, ma_ho_so: &str) -> Option<DossierRecord> {
        self.shared.dossier(ma_ho_so)
    }

    /// Every dossier, by `MaHoSo`.
    pub fn dossiers(&self) -> Vec<DossierRecord> {
        self.shared.dossiers()
    }

    pub fn counters(&self) -> Counters {
        self.shared.counters()
    }

    /// Forgets sessions, dossiers, queued faults and counters, comes back up
    /// and puts the clock back; the accounts stay.
    pub fn reset(&self) {
        self.shared.reset();
    }

    /// Stops accepting calls, cuts held answers short and waits for the
    /// calls in flight.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        if let Err(error) = self.server.await {
            tracing::error!(%error, "the portal simulator's task failed");
        }
    }
}
