//! OpenAI and OpenAI-compatible servers (LM Studio, vLLM, llama.cpp): `GET /models`,
//! one list, no paging and no metadata beyond the id.

use super::{Conn, Health, Provider, ProviderId, RemoteModel};
use crate::error::Result;
use async_trait::async_trait;
use serde_json::Value;

pub struct OpenAi {
    pub conn: Conn,
}

/// Parse an OpenAI-style `{"data": [{"id": ...}]}` list.
pub(super) fn parse_list(conn: &Conn, v: &Value) -> Result<Vec<RemoteModel>> {
    let data = v
        .get("data")
        .and_then(Value::as_array)
        .ok_or_else(|| conn.bad_shape("no `data` list"))?;
    data.iter()
        .map(|m| {
            let id = m
                .get("id")
                .and_then(Value::as_str)
                .ok_or_else(|| conn.bad_shape("a model without `id`"))?;
            Ok(RemoteModel {
                name: id.to_string(),
                display_name: Some(id.to_string()),
                ..Default::default()
            })
        })
        .collect()
}

#[async_trait]
impl Provider for OpenAi {
    fn id(&self) -> ProviderId {
        ProviderId::Openai
    }

    async fn health(&self) -> Result<Health> {
        let v = self.conn.get_json("models", &[]).await?;
        parse_list(&self.conn, &v)?;
        Ok(Health { version: None })
    }

    async fn list_models(&self) -> Result<Vec<RemoteModel>> {
        let v = self.conn.get_json("models", &[]).await?;
        let mut list = parse_list(&self.conn, &v)?;
        list.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(list)
    }
}
