//! scout: a rules-driven influencer scoring engine.
//!
//! Every judgement (tier boundaries, niche taxonomies, brand filters and weights, scoring
//! formulas) lives in a rule folder the user edits: TOML for data, rhai for formulas. The
//! library loads that folder into an immutable, validated [`rules::RuleSet`], reads candidate
//! lists ([`input`]), evaluates each candidate purely ([`engine`]), ranks the batch
//! ([`rank`]) and renders the result ([`output`]). [`reload`] swaps in a new rule set when
//! the folder changes, all or nothing, and [`changes`] says what that did to a ranking. The
//! binary in `src/main.rs` is thin glue over [`cli`]; [`serve`] answers the same questions
//! over HTTP.

pub mod audit;
pub mod authoring;
pub mod changes;
pub mod cli;
pub mod country;
pub mod diagnostic;
pub mod engine;
pub mod evaluate;
pub mod input;
pub mod inspect;
pub mod metrics;
pub mod model;
pub mod number;
pub mod output;
pub mod plan;
pub mod rank;
pub mod reload;
pub mod rules;
pub mod serve;
pub mod source;
pub mod text;
pub mod valid;
