//! `curator providers …`

use crate::out::{emit, opt};
use clap::Subcommand;
use curator_core::providers::admin::ProviderItem;
use curator_core::{Core, CoreError};

#[derive(Subcommand)]
pub enum ProvidersCmd {
    /// Configured providers, in registry order.
    List,
    /// Save a provider's config (routes are never touched).
    Set {
        /// ollama, openai, anthropic, google or openrouter.
        id: String,
        /// The config as a JSON object.
        #[arg(long, value_name = "JSON")]
        config: String,
        /// Read the API key from standard input.
        #[arg(long)]
        api_key_stdin: bool,
    },
    /// Enable a configured provider.
    Enable { id: String },
    /// Disable a provider (config and key are kept).
    Disable { id: String },
    /// Disconnect: delete config, key and every route that used it.
    Remove { id: String },
    /// Test the stored connection.
    Test { id: String },
    /// The provider's full model list.
    Catalog { id: String },
}

fn item_text(p: &ProviderItem) -> String {
    let key = match (&p.key_store, p.has_key) {
        (None, _) => String::new(),
        (Some(s), true) => format!("  key …{} ({})", opt(&p.key_last4), s.as_str()),
        (Some(s), false) => format!("  no key ({})", s.as_str()),
    };
    format!(
        "{:<11} {:<14} {}{}  {}",
        p.provider.as_str(),
        p.display_name,
        if p.enabled { "enabled " } else { "disabled" },
        key,
        p.config.to_json()
    )
}

fn read_key_from_stdin() -> Result<String, CoreError> {
    use std::io::Read;
    let mut s = String::new();
    std::io::stdin()
        .take(8192)
        .read_to_string(&mut s)
        .map_err(CoreError::KeyInput)?;
    Ok(s.trim_end_matches(['\r', '\n']).to_string())
}

pub async fn run(cmd: ProvidersCmd, core: Core, json: bool) -> Result<(), CoreError> {
    match cmd {
        ProvidersCmd::List => {
            let list = core.list_providers().await?;
            emit(json, &list, |l| {
                if l.is_empty() {
                    "no provider is configured".into()
                } else {
                    l.iter().map(item_text).collect::<Vec<_>>().join("\n")
                }
            });
        }
        ProvidersCmd::Set {
            id,
            config,
            api_key_stdin,
        } => {
            let value: serde_json::Value =
                serde_json::from_str(&config).map_err(CoreError::ConfigJson)?;
            let key = if api_key_stdin {
                Some(read_key_from_stdin()?)
            } else {
                None
            };
            let item = core.update_provider_config(&id, value, key).await?;
            emit(json, &item, item_text);
        }
        ProvidersCmd::Enable { id } => {
            let item = core.set_provider_enabled(&id, true).await?;
            emit(json, &item, item_text);
        }
        ProvidersCmd::Disable { id } => {
            let item = core.set_provider_enabled(&id, false).await?;
            emit(json, &item, item_text);
        }
        ProvidersCmd::Remove { id } => {
            let r = core.delete_provider(&id).await?;
            emit(json, &r, |r| {
                let mut s = format!("removed {}", r.removed);
                for route in &r.routes_removed {
                    s.push_str(&format!(
                        "\n  route {} ({}:{}) removed",
                        route.task,
                        route.provider,
                        opt(&route.model)
                    ));
                }
                s
            });
        }
        ProvidersCmd::Test { id } => {
            let t = core.test_provider(&id).await?;
            emit(json, &t, |t| match &t.error {
                None => format!(
                    "ok in {} ms{}",
                    opt(&t.latency_ms),
                    t.version
                        .as_ref()
                        .map_or(String::new(), |v| format!(", version {v}"))
                ),
                Some(e) => format!("failed: {} ({})", e.message, e.code.as_str()),
            });
        }
        ProvidersCmd::Catalog { id } => {
            let c = core.list_provider_catalog(&id).await?;
            emit(json, &c, |c| {
                c.iter()
                    .map(|m| {
                        format!(
                            "{}{}  context {}",
                            if m.selected { "* " } else { "  " },
                            m.name,
                            opt(&m.context_length)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
    }
    Ok(())
}
