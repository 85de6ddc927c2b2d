//! Notifications to applicants. When a dossier is received, a supplement is
//! asked for, its processing is extended, or its result is ready, the
//! applicant is told by e-mail (an SMTP server) and/or SMS (an HTTP
//! gateway), from Vietnamese templates an office can replace.
//!
//! The notifier follows the procedures service's event stream from a
//! committed cursor, as the portal sync does: an event is rendered into its
//! messages and kept in the same transaction as the cursor's move, so a
//! restart neither loses one nor renders one twice (one message per event
//! and channel, keyed by both). Each dossier's messages on a channel go out
//! in order; a failed one waits its backoff and holds back the ones after
//! it, others go on; one that keeps failing is parked until an administrator
//! sends it again. A message is marked sent only once the server took it: a
//! crash between the two sends it again, with the same `Message-ID` (e-mail)
//! or request id (SMS), by which the receiving side can tell the repeat.

pub mod channels;
pub mod delivery;
pub mod grpc;
pub mod notice;
pub mod service;
pub mod store;
pub mod templates;

pub use channels::{Channels, SendError};
pub use delivery::{Lookups, Notifier};
pub use notice::{Channel, Kind};
pub use templates::Templates;
