//! The aggregated model list: every enabled provider asked concurrently under its own
//! `timeout_s`; a failing provider falls back to its last good list (`stale`, with its
//! age) and never blocks or empties the others. Results are cached for 120 s.

use crate::error::{ApiError, CoreError, Result};
use crate::providers::catalog::{exposed, now_unix};
use crate::providers::{ProviderId, RemoteModel};
use crate::{db, Core};
use serde::{Deserialize, Serialize};
use specta::Type;

/// One model in the aggregated list (unknown metadata is null).
#[derive(Debug, Clone, Serialize, Deserialize, Type, PartialEq)]
pub struct ModelItem {
    /// `<provider>:<name>`.
    pub id: String,
    pub provider: ProviderId,
    pub name: String,
    pub display_name: Option<String>,
    #[specta(type = Option<specta_typescript::Number>)]
    pub context_length: Option<u64>,
    #[specta(type = Option<specta_typescript::Number>)]
    pub size: Option<u64>,
    pub parameter_size: Option<String>,
    pub quantization_level: Option<String>,
    pub is_loaded: Option<bool>,
}

#[derive(
    Debug,
    Clone,
    Copy,
    Serialize,
    Deserialize,
    Type,
    PartialEq,
    Eq,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ListStatus {
    Ok,
    Error,
    Stale,
}

impl ListStatus {
    /// The wire name (what serde writes).
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// How one provider's part of the list came about.
#[derive(Debug, Clone, Serialize, Deserialize, Type, PartialEq)]
pub struct ProviderModelsStatus {
    pub provider: ProviderId,
    pub status: ListStatus,
    pub count: u32,
    /// Age of the list in seconds (0 when fetched now; null when there is none).
    #[specta(type = Option<specta_typescript::Number>)]
    pub age_s: Option<u64>,
    pub error: Option<ApiError>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type, PartialEq)]
pub struct ModelsResponse {
    pub models: Vec<ModelItem>,
    pub providers: Vec<ProviderModelsStatus>,
}

fn item(id: ProviderId, m: RemoteModel) -> ModelItem {
    ModelItem {
        id: format!("{}:{}", id.as_str(), m.name),
        provider: id,
        name: m.name,
        display_name: m.display_name,
        context_length: m.context_length,
        size: m.size,
        parameter_size: m.parameter_size,
        quantization_level: m.quantization_level,
        is_loaded: m.is_loaded,
    }
}

impl Core {
    async fn one_provider(
        &self,
        id: ProviderId,
        refresh: bool,
    ) -> (Vec<ModelItem>, ProviderModelsStatus) {
        let fetched = async {
            let r = self.resolve(id.as_str()).await?;
            let (models, age) = self.catalog(&r, refresh).await?;
            Ok::<_, CoreError>((exposed(r.config.selected_models(), models), age, r))
        }
        .await;
        match fetched {
            Ok((models, age, _)) => {
                let status = ProviderModelsStatus {
                    provider: id,
                    status: ListStatus::Ok,
                    count: models.len() as u32,
                    age_s: Some(age.as_secs()),
                    error: None,
                };
                (models.into_iter().map(|m| item(id, m)).collect(), status)
            }
            Err(e) => {
                let brief = ApiError::from(&e);
                let last = self.last_good_models(id).await.ok().flatten();
                let selected = self
                    .resolve(id.as_str())
                    .await
                    .map(|r| r.config.selected_models().to_vec())
                    .unwrap_or_default();
                match last {
                    Some((models, at)) => {
                        let models = exposed(&selected, models);
                        let status = ProviderModelsStatus {
                            provider: id,
                            status: ListStatus::Stale,
                            count: models.len() as u32,
                            age_s: Some((now_unix() - at).max(0) as u64),
                            error: Some(brief),
                        };
                        (models.into_iter().map(|m| item(id, m)).collect(), status)
                    }
                    None => (
                        Vec::new(),
                        ProviderModelsStatus {
                            provider: id,
                            status: ListStatus::Error,
                            count: 0,
                            age_s: None,
                            error: Some(brief),
                        },
                    ),
                }
            }
        }
    }

    /// Models of every enabled provider, asked concurrently (registry order).
    pub async fn list_models(&self, refresh: bool) -> Result<ModelsResponse> {
        let rows = self.db().call(|c| db::providers::list(c)).await?;
        let mut ids: Vec<ProviderId> = rows
            .iter()
            .filter(|r| r.enabled)
            .filter_map(|r| ProviderId::parse(&r.provider).ok())
            .collect();
        ids.sort();
        let parts =
            futures::future::join_all(ids.into_iter().map(|id| self.one_provider(id, refresh)))
                .await;
        let mut out = ModelsResponse {
            models: Vec::new(),
            providers: Vec::new(),
        };
        for (models, status) in parts {
            out.models.extend(models);
            out.providers.push(status);
        }
        Ok(out)
    }
}
