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
mod tasks;
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
    Readiness {
        /// Only this task (asks only the providers its route uses).
        #[arg(long, value_parser = parse_task)]
        task: Option<curator_core::routes::Task>,
    },
    /// Ollama: health, models, ps, pull, delete.
    #[command(subcommand)]
    Ollama(ollama::OllamaCmd),
    /// Upgrade a database of the earlier reader in place (backup first, all or nothing).
    Upgrade {
        /// Report what would be done without writing anything.
        #[arg(long)]
        dry_run: bool,
    },
    /// Queue counts per task (queued, running, done, failed) and pauses.
    Queue,
    /// Re-queue the recent unread articles (last 7 days, newest first) for both tasks.
    Rescore {
        /// At most this many articles (default 100).
        #[arg(long, value_name = "N")]
        limit: Option<u32>,
    },
    /// Process the queue: categorize and score through the task routes.
    RunQueue {
        /// Drain what is queued now and exit, instead of waiting for more.
        #[arg(long)]
        once: bool,
    },
    /// Run one task on one article through its route and show the parsed answer.
    TestRoute {
        /// categorization or scoring.
        #[arg(value_parser = parse_task)]
        task: curator_core::routes::Task,
        /// The article to use (default: the newest, or a built-in sample).
        #[arg(long, value_name = "ID")]
        article: Option<i64>,
    },
}

fn parse_task(s: &str) -> Result<curator_core::routes::Task, String> {
    match s {
        "categorization" => Ok(curator_core::routes::Task::Categorization),
        "scoring" => Ok(curator_core::routes::Task::Scoring),
        _ => Err("expected categorization or scoring".into()),
    }
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
        Command::Readiness { task } => routes::run_readiness(open(cli.db)?, task, json).await?,
        Command::Ollama(cmd) => ollama::run(cmd, open(cli.db)?, json).await?,
        Command::Queue => tasks::run_queue_status(open(cli.db)?, json).await?,
        Command::Rescore { limit } => tasks::run_rescore(open(cli.db)?, limit, json).await?,
        Command::RunQueue { once } => tasks::run_run_queue(open(cli.db)?, once, json).await?,
        Command::TestRoute { task, article } => {
            tasks::run_test_route(open(cli.db)?, task, article, json).await?
        }
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
