//! Google AIP plumbing shared by every service: resource names, text fields,
//! page tokens (AIP-158), filters (AIP-160 subset), ordering (AIP-132), field
//! masks (AIP-134) and etags (AIP-154). Idempotent creates (AIP-155) live in
//! [`crate::journal`].

pub mod enums;
pub mod etag;
pub mod field_mask;
pub mod filter;
pub mod list;
pub mod names;
pub mod order;
pub mod page;
pub mod text;
pub mod time;
