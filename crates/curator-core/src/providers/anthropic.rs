//! Anthropic: `GET /v1/models`, cursor paging with `has_more` / `after_id`.

use super::{Conn, Health, Provider, ProviderId, RemoteModel};
use crate::error::Result;
use async_trait::async_trait;
use serde::Deserialize;

pub struct Anthropic {
    pub conn: Conn,
}

/// Upper bound on pages followed, so a server that always says `has_more` ends.
const MAX_PAGES: usize = 100;

/// One page of `GET /v1/models`.
#[derive(Deserialize)]
struct Page {
    data: Vec<Model>,
    #[serde(default)]
    has_more: bool,
    #[serde(default)]
    last_id: Option<String>,
}

#[derive(Deserialize)]
struct Model {
    id: String,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    max_input_tokens: Option<u64>,
    #[serde(default)]
    capabilities: Option<Capabilities>,
}

#[derive(Deserialize)]
struct Capabilities {
    #[serde(default)]
    structured_outputs: Option<Supported>,
}

#[derive(Deserialize)]
struct Supported {
    #[serde(default)]
    supported: Option<bool>,
}

impl From<Model> for RemoteModel {
    fn from(m: Model) -> Self {
        RemoteModel {
            name: m.id,
            display_name: m.display_name,
            context_length: m.max_input_tokens,
            structured_output: m
                .capabilities
                .and_then(|c| c.structured_outputs)
                .and_then(|s| s.supported),
            ..Default::default()
        }
    }
}

#[async_trait]
impl Provider for Anthropic {
    fn id(&self) -> ProviderId {
        ProviderId::Anthropic
    }

    async fn health(&self) -> Result<Health> {
        self.conn
            .get::<Page>("v1/models", &[("limit", "1".into())])
            .await?;
        Ok(Health { version: None })
    }

    async fn list_models(&self) -> Result<Vec<RemoteModel>> {
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut q = vec![("limit", "1000".to_string())];
            if let Some(a) = &after {
                q.push(("after_id", a.clone()));
            }
            let page: Page = self.conn.get("v1/models", &q).await?;
            out.extend(page.data.into_iter().map(RemoteModel::from));
            match (page.has_more, page.last_id) {
                (true, Some(l)) if after.as_deref() != Some(l.as_str()) => after = Some(l),
                (true, _) => return Err(self.conn.bad_shape("`has_more` without a new `last_id`")),
                (false, _) => return Ok(out),
            }
        }
        Err(self.conn.bad_shape("too many pages"))
    }
}
