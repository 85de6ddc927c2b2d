//! The procedures service of eiso: the catalogue of administrative procedures (thủ tục
//! hành chính), dossiers and their processing-time tracking.
//!
//! For now the crate holds the part every other piece depends on and that must be exactly
//! right: [`calendar`], the office calendar (office hours, working days, public holidays and
//! make-up working days per year, a Vietnamese lunar calendar to propose a new year) and the
//! deadline rule (working-time arithmetic, supplement requests, early / on-time / late).

pub mod calendar;
