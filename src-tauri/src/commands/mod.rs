//! Tauri commands, one file per area. Each is an adapter: typed arguments in, one
//! call into the core, `ApiError` out.

pub mod app;
pub mod database;
pub mod ollama;
pub mod providers;
pub mod routes;
pub mod tasks;
