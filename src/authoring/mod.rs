//! Tools for people who write rules: unit tests for a rule folder ([`ruletest`]).
//!
//! Everything here builds on the pure engine: nothing re-implements a rule. Only
//! `ruletest` reads files (the candidate lists test files name); nothing here prints.

pub mod ruletest;
