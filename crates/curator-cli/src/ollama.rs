//! `curator ollama …`

use crate::out::{emit, opt};
use clap::Subcommand;
use curator_core::providers::ollama::{PullOutcome, PullProgress};
use curator_core::{Core, CoreError};
use serde_json::json;
use tokio_util::sync::CancellationToken;

#[derive(Subcommand)]
pub enum OllamaCmd {
    /// Reachability, version and latency.
    Health,
    /// Installed models.
    Models,
    /// Models loaded in memory.
    Ps,
    /// Download a model, printing progress (Ctrl-C cancels).
    Pull { model: String },
    /// Delete an installed model.
    Delete { model: String },
}

fn progress_text(p: &PullProgress) -> String {
    match (p.completed, p.total) {
        (Some(c), Some(t)) if t > 0 => format!("{} {}%", p.status, c * 100 / t),
        _ => p.status.clone(),
    }
}

pub async fn run(cmd: OllamaCmd, core: Core, json: bool) -> Result<(), CoreError> {
    match cmd {
        OllamaCmd::Health => {
            let h = core.ollama_health().await?;
            emit(json, &h, |h| {
                if h.connected {
                    format!(
                        "connected (version {}, {} ms)",
                        opt(&h.version),
                        opt(&h.latency_ms)
                    )
                } else {
                    "not connected".to_string()
                }
            });
        }
        OllamaCmd::Models => {
            let m = core.ollama_list_models().await?;
            emit(json, &m, |m| {
                m.iter()
                    .map(|x| {
                        format!(
                            "{}  {}{}",
                            x.name,
                            opt(&x.size),
                            if x.is_loaded { "  (loaded)" } else { "" }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        OllamaCmd::Ps => {
            let m = core.ollama_ps().await?;
            emit(json, &m, |m| {
                m.iter()
                    .map(|x| format!("{}  until {}", x.name, opt(&x.expires_at)))
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        OllamaCmd::Pull { model } => {
            let cancel = CancellationToken::new();
            let on_signal = cancel.clone();
            tokio::spawn(async move {
                if tokio::signal::ctrl_c().await.is_ok() {
                    on_signal.cancel();
                }
            });
            let outcome = core
                .ollama_pull_model(&model, move |p| emit(json, &p, progress_text), cancel)
                .await?;
            match outcome {
                PullOutcome::Complete => {
                    emit(json, &json!({"status": "complete"}), |_| "complete".into())
                }
                PullOutcome::Cancelled => {
                    emit(json, &json!({"status": "cancelled"}), |_| {
                        "cancelled".into()
                    });
                    std::process::exit(130);
                }
            }
        }
        OllamaCmd::Delete { model } => {
            let d = core.ollama_delete_model(&model).await?;
            emit(json, &d, |d| {
                let mut s = format!("deleted {}", d.deleted);
                for r in &d.routes_using {
                    s.push_str(&format!("\n  the {} route still names it", r.task));
                }
                s
            });
        }
    }
    Ok(())
}
