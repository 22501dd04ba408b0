//! Tools for people who write rules: unit tests for a rule folder ([`ruletest`]), the
//! explanation of one candidate's score ([`explain`]), what a rule change does to a
//! candidate list ([`diff`]), JSON Schemas for editors ([`schema`]) and brand scaffolding
//! ([`scaffold`]).
//!
//! Everything here builds on the pure engine: nothing re-implements a rule. Only
//! `ruletest` reads files (the candidate lists test files name); nothing here prints.

pub mod diff;
pub mod explain;
pub mod ruletest;
pub mod scaffold;
pub mod schema;
