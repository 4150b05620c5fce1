//! The two LLM tasks, categorization and scoring (../shared/spec/tasks.md), and their
//! durable queue. See README.md beside this file for the layout and the decision to
//! build on Curator's own provider clients.
//!
//! - `answer`: the answer types; their schemars schemas are the one place each shape
//!   is defined.
//! - `schema`: the generated schemas and each provider dialect's subset.
//! - `prompt`: paragraph-aware truncation, the batch prompts with `<article id:…>`.
//! - `validate`: JSON extraction, shape and limit checks with reasons.
//! - `names`, `composite`: the earlier reader's name→category and score rules.
//! - `queue`, `store`: the queue's SQL and the writing of results.

pub mod answer;
pub mod composite;
pub mod names;
pub mod prompt;
pub mod queue;
pub mod runner;
pub mod schema;
pub mod store;
pub mod validate;

pub use crate::routes::Task;
