//! What every eiso service stands on: configuration, storage, the gateway
//! (authentication and authorisation), the audit trail, the event outbox, and
//! the AIP plumbing (idempotent creates, page tokens, filters, etags, field
//! violations).

pub mod aip;
pub mod audit;
pub mod audit_service;
pub mod auth;
pub mod blocking;
pub mod clock;
pub mod config;
pub mod context;
pub mod db;
pub mod directory;
pub mod effective;
pub mod error;
pub mod event_service;
pub mod gateway;
pub mod grpc;
pub mod journal;
pub mod lease;
pub mod links;
pub mod outward;
pub mod paper;
pub mod policy;
pub mod retry;
pub mod scope;
pub mod spreadsheet;
pub mod templates;
pub mod undecodable;
pub mod versioned;
pub mod vi;

pub use context::{BearerToken, CallContext, CallInfo, Principal};
pub use error::{ServiceError, ServiceResult, Violations};
pub use journal::{Journal, NewEvent, WriteTx};
