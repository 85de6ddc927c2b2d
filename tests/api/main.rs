//! End-to-end tests of eiso-server through its gRPC API. Each test starts its
//! own server on 127.0.0.1:0 with its own storage: SQLite by default,
//! PostgreSQL when `EISO_TEST_DATABASE_URL` is set (a fresh database per test).

#![allow(clippy::unwrap_used)]

mod audit_independence;
mod audit_trail;
mod authorisation;
mod backup;
mod bad_input;
mod bad_values;
mod concurrency;
mod documents;
mod dossiers;
mod events;
mod file_store;
mod groups_apart;
mod identity_elsewhere;
mod issue_numbers;
mod issued_documents;
mod kept_statistics;
mod late_entries;
mod leases;
mod notifications;
mod period_statistics;
mod plans;
mod portal_sync;
mod procedures;
mod quality;
mod reflection;
mod remote;
mod remote_links;
mod scoping;
mod scoping_plans;
mod scoping_procedures;
mod scoping_quality;
mod search;
mod search_replica;
mod server;
mod sign_in;
mod synced_dossiers;
mod telemetry;
mod tls;
mod transfer;
mod undecodable;
mod units;
mod users;
mod web;
mod web_actions_board;
mod web_admin;
mod web_audits;
mod web_calendar;
mod web_catalogue;
mod web_diagnostic;
mod web_documents;
mod web_drafting;
mod web_inspections;
mod web_notifications;
mod web_plan_import;
mod web_plans;
mod web_records;
mod web_review_packs;
mod web_reviews;
mod web_search;
mod web_sync;
mod web_targets;
mod web_trail;
