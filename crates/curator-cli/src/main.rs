//! `curator`: the same operations as the app's settings panel, without a window.
//!
//! Every subcommand takes `--json`, which prints exactly what the matching Tauri
//! command returns; errors print `{code, message, details?}` and exit 1.

use clap::{Parser, Subcommand};
use curator_core::db::resolve_db_path;
use curator_core::{ApiError, Core, CoreError};
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;

mod ollama;
mod out;
mod providers;
mod routes;
mod upgrade;

#[derive(Parser)]
#[command(
    name = "curator",
    version,
    about = "Curator: choose the LLMs that categorize and score your articles"
)]
struct Cli {
    /// Database file (else CURATOR_DB, else curator.db in the platform data directory).
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Print JSON (exactly what the matching app command returns) instead of lines.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Show the database path, its schema version and the app version.
    Status,
    /// LLM providers: list, set, enable, disable, remove, test, catalog.
    #[command(subcommand)]
    Providers(providers::ProvidersCmd),
    /// Models of every enabled provider.
    Models {
        /// Ask the providers again instead of using the 120 s cache.
        #[arg(long)]
        refresh: bool,
    },
    /// Task routes (which provider and model categorize and score).
    #[command(subcommand)]
    Routes(routes::RoutesCmd),
    /// Whether categorization and scoring can run, and what fixes them.
    Readiness,
    /// Ollama: health, models, ps, pull, delete.
    #[command(subcommand)]
    Ollama(ollama::OllamaCmd),
    /// Upgrade a database of the earlier reader in place (backup first, all or nothing).
    Upgrade {
        /// Report what would be done without writing anything.
        #[arg(long)]
        dry_run: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("curator: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let json = cli.json;
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let api = ApiError::from(e);
            if json {
                println!("{}", serde_json::to_string(&api).unwrap_or_default());
            }
            eprintln!("curator: {}", api.message);
            ExitCode::FAILURE
        }
    }
}

fn open(db: Option<PathBuf>) -> Result<Core, CoreError> {
    Core::open(&resolve_db_path(db)?)
}

fn print_json<T: Serialize>(value: &T) {
    println!("{}", serde_json::to_string(value).unwrap_or_default());
}

async fn run(cli: Cli) -> Result<(), CoreError> {
    let json = cli.json;
    match cli.command {
        Command::Providers(cmd) => providers::run(cmd, open(cli.db)?, json).await?,
        Command::Models { refresh } => routes::run_models(open(cli.db)?, refresh, json).await?,
        Command::Routes(cmd) => routes::run_routes(cmd, open(cli.db)?, json).await?,
        Command::Readiness => routes::run_readiness(open(cli.db)?, json).await?,
        Command::Ollama(cmd) => ollama::run(cmd, open(cli.db)?, json).await?,
        Command::Status => {
            let core = open(cli.db)?;
            let status = core.status().await?;
            if json {
                print_json(&status);
            } else {
                println!("database:       {}", status.db_path);
                println!("schema version: {}", status.schema_version);
                println!("app version:    {}", status.app_version);
            }
        }
        Command::Upgrade { dry_run } => upgrade::run(&resolve_db_path(cli.db)?, json, dry_run)?,
    }
    Ok(())
}
