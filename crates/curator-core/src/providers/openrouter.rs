//! OpenRouter: `GET /models` (follows `links.next` when the server pages), `GET /key`
//! to check the key (the model list itself needs no key). Errors may arrive inside a
//! 200 body.

use super::http::ErrorBody;
use super::{Conn, Health, Provider, ProviderId, RemoteModel};
use crate::error::{Failure, Result};
use async_trait::async_trait;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::Deserialize;

pub struct OpenRouter {
    pub conn: Conn,
}

const MAX_PAGES: usize = 100;

/// `GET /key`: only that there is a `data` object matters.
#[derive(Deserialize)]
struct KeyInfo {
    #[allow(dead_code)]
    data: IgnoredAny,
}

/// One page of `GET /models`.
#[derive(Deserialize)]
struct Page {
    data: Vec<Model>,
    #[serde(default)]
    links: Option<Links>,
}

#[derive(Deserialize)]
struct Links {
    #[serde(default)]
    next: Option<String>,
}

#[derive(Deserialize)]
struct Model {
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    context_length: Option<u64>,
    #[serde(default)]
    top_provider: Option<TopProvider>,
    #[serde(default)]
    supported_parameters: Option<Vec<String>>,
    #[serde(default)]
    pricing: Option<Pricing>,
}

/// Prices as OpenRouter reports them: USD per token, as decimal strings.
#[derive(Deserialize)]
struct Pricing {
    #[serde(default)]
    prompt: Option<String>,
    #[serde(default)]
    completion: Option<String>,
}

/// USD per token (a decimal string) to USD per million tokens; negative or
/// unparseable prices (OpenRouter uses "-1" for "varies") are unknown.
fn per_million(per_token: Option<&str>) -> Option<f64> {
    let p: f64 = per_token?.trim().parse().ok()?;
    (p.is_finite() && p >= 0.0).then(|| (p * 1e6 * 1e6).round() / 1e6)
}

#[derive(Deserialize)]
struct TopProvider {
    #[serde(default)]
    context_length: Option<u64>,
}

impl From<Model> for RemoteModel {
    fn from(m: Model) -> Self {
        RemoteModel {
            name: m.id,
            display_name: m.name,
            context_length: m
                .context_length
                .or_else(|| m.top_provider.and_then(|t| t.context_length)),
            structured_output: m.supported_parameters.map(|p| {
                p.iter()
                    .any(|x| x == "structured_outputs" || x == "response_format")
            }),
            input_price_per_mtok: per_million(m.pricing.as_ref().and_then(|p| p.prompt.as_deref())),
            output_price_per_mtok: per_million(
                m.pricing.as_ref().and_then(|p| p.completion.as_deref()),
            ),
            ..Default::default()
        }
    }
}

impl OpenRouter {
    /// GET `path` as `T`; OpenRouter can answer 200 with `{"error": {...}}`: that is a
    /// failure, not a body of the wrong shape.
    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        let resp = self
            .conn
            .send::<()>(reqwest::Method::GET, path, &[], None)
            .await?;
        let bytes = self.conn.body(resp).await?;
        if let Ok(body) = serde_json::from_slice::<ErrorBody>(&bytes) {
            if body.has_error() {
                let mut e = self.conn.fail(Failure::ErrorInOk {
                    inner_code: body.inner_code(),
                });
                e.status = Some(200);
                e.text = Some(body.message().unwrap_or_else(|| "error".into()));
                return Err(e.into());
            }
        }
        self.conn.parse(&bytes)
    }
}

#[async_trait]
impl Provider for OpenRouter {
    fn id(&self) -> ProviderId {
        ProviderId::Openrouter
    }

    async fn health(&self) -> Result<Health> {
        self.get::<KeyInfo>("key").await?;
        Ok(Health { version: None })
    }

    async fn list_models(&self) -> Result<Vec<RemoteModel>> {
        let mut out = Vec::new();
        let mut next = "models".to_string();
        for _ in 0..MAX_PAGES {
            let page: Page = self.get(&next).await?;
            out.extend(page.data.into_iter().map(RemoteModel::from));
            match page.links.and_then(|l| l.next).filter(|n| !n.is_empty()) {
                Some(n) => {
                    let base = url::Url::parse(&self.conn.url("models"))
                        .map_err(|_| self.conn.bad_shape("base URL"))?;
                    let joined = base
                        .join(&n)
                        .map_err(|_| self.conn.bad_shape("`links.next` is not a URL"))?;
                    if joined.origin() != base.origin() || joined.as_str() == next {
                        return Err(self
                            .conn
                            .bad_shape("`links.next` leaves the server or repeats"));
                    }
                    next = joined.to_string();
                }
                None => return Ok(out),
            }
        }
        Err(self.conn.bad_shape("too many pages"))
    }
}

#[cfg(test)]
mod tests {
    use super::per_million;

    #[test]
    fn prices_per_million_tokens() {
        assert_eq!(per_million(Some("0.00000015")), Some(0.15));
        assert_eq!(per_million(Some("0.0000006")), Some(0.6));
        assert_eq!(per_million(Some("0")), Some(0.0));
        assert_eq!(per_million(Some("-1")), None);
        assert_eq!(per_million(Some("n/a")), None);
        assert_eq!(per_million(None), None);
    }
}
