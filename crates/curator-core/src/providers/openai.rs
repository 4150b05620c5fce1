//! OpenAI and OpenAI-compatible servers (LM Studio, vLLM, llama.cpp): `GET /models`,
//! one list, no paging and no metadata beyond the id.

use super::{Conn, Health, Provider, ProviderId, RemoteModel};
use crate::error::Result;
use async_trait::async_trait;
use serde::Deserialize;

pub struct OpenAi {
    pub conn: Conn,
}

/// `GET /models`: `{"data": [{"id": …}, …]}`.
#[derive(Deserialize)]
struct ModelList {
    data: Vec<Model>,
}

#[derive(Deserialize)]
struct Model {
    id: String,
}

impl From<Model> for RemoteModel {
    fn from(m: Model) -> Self {
        RemoteModel {
            display_name: Some(m.id.clone()),
            name: m.id,
            ..Default::default()
        }
    }
}

#[async_trait]
impl Provider for OpenAi {
    fn id(&self) -> ProviderId {
        ProviderId::Openai
    }

    async fn health(&self) -> Result<Health> {
        self.conn.get::<ModelList>("models", &[]).await?;
        Ok(Health { version: None })
    }

    async fn list_models(&self) -> Result<Vec<RemoteModel>> {
        let list: ModelList = self.conn.get("models", &[]).await?;
        let mut list: Vec<RemoteModel> = list.data.into_iter().map(RemoteModel::from).collect();
        list.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(list)
    }
}
