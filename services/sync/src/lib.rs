//! Synchronising dossiers with the National Public Service Portal (Cổng
//! Dịch vụ công quốc gia, DVCQG), the provincial one-stop systems' duty the
//! reform plan measures ("100% of dossiers updated, tracked and synchronised
//! to the portal").
//!
//! [`delivery`] follows the procedures service's event stream and delivers
//! each dossier's changes in order, retrying with backoff and parking a
//! dossier that keeps failing; [`store`] keeps its cursor and each dossier's
//! state. Below it, two halves speak to the portal:
//! - [`portal`]: the portal's protocol (sign-in with a session, `TraCuuHoSo`,
//!   `DongBoHoSoMC` create-or-update, `CapNhatTienDoHoSoMC`), each failure
//!   told apart as worth retrying or not;
//! - [`record`]: a dossier and its processing steps as the portal reads them
//!   (its field names, its `yyyyMMddHHmmss` Vietnam-time dates, its numbering
//!   of statuses, applicant types and channels).
//!
//! The field names and phrases follow OpenCPS `DVCQGIntegrationActionImpl` and
//! a .NET vendor's `SyncLocalDataToDVCQGService` (after the portal's guide
//! "Tài liệu hướng dẫn kết nối, tích hợp, chia sẻ dữ liệu với Cổng DVCQG"
//! v1.4); they are checked against the simulator in `clients/portal-sim`.

pub mod config;
pub mod delivery;
pub mod grpc;
pub mod portal;
pub mod record;
pub mod service;
pub mod store;

pub use config::PortalConfig;
pub use portal::{Portal, PortalError};
