//! Google Gemini: `GET /models`, `pageSize` + `pageToken`, `nextPageToken` until the
//! last page. Only models that support `generateContent` are offered.

use super::{Conn, Health, Provider, ProviderId, RemoteModel};
use crate::error::Result;
use async_trait::async_trait;
use serde::Deserialize;

pub struct Gemini {
    pub conn: Conn,
}

const MAX_PAGES: usize = 100;

/// One page of `GET /models`; an empty page may omit `models`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Page {
    #[serde(default)]
    models: Vec<Model>,
    #[serde(default)]
    next_page_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Model {
    name: String,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    input_token_limit: Option<u64>,
    #[serde(default)]
    supported_generation_methods: Vec<String>,
}

impl Model {
    /// The model, when it supports `generateContent`.
    fn usable(self) -> Option<RemoteModel> {
        let generates = self
            .supported_generation_methods
            .iter()
            .any(|m| m == "generateContent");
        generates.then(|| RemoteModel {
            name: self.name,
            display_name: self.display_name,
            context_length: self.input_token_limit,
            // Every generateContent model takes responseMimeType + schema.
            structured_output: Some(true),
            ..Default::default()
        })
    }
}

#[async_trait]
impl Provider for Gemini {
    fn id(&self) -> ProviderId {
        ProviderId::Google
    }

    async fn health(&self) -> Result<Health> {
        self.conn
            .get::<Page>("models", &[("pageSize", "1".into())])
            .await?;
        Ok(Health { version: None })
    }

    async fn list_models(&self) -> Result<Vec<RemoteModel>> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut q = vec![("pageSize", "1000".to_string())];
            if let Some(t) = &token {
                q.push(("pageToken", t.clone()));
            }
            let page: Page = self.conn.get("models", &q).await?;
            out.extend(page.models.into_iter().filter_map(Model::usable));
            match page.next_page_token.filter(|t| !t.is_empty()) {
                Some(t) if token.as_deref() == Some(t.as_str()) => {
                    return Err(self.conn.bad_shape("repeated nextPageToken"))
                }
                Some(t) => token = Some(t),
                None => return Ok(out),
            }
        }
        Err(self.conn.bad_shape("too many pages"))
    }
}
