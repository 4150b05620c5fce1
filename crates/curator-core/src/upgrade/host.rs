//! The Ollama host the original's settings would give (schema-history §3.5) and
//! its split into `base_url` + `port` (§3.2).

use crate::error::InvalidOllamaHost;
use std::ffi::OsString;
use std::path::Path;

pub const DEFAULT_HOST: &str = "http://localhost:11434";
pub const DEFAULT_BASE_URL: &str = "http://localhost";
pub const DEFAULT_PORT: u16 = 11434;

/// Where a host value came from, for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostSetting {
    pub value: String,
    pub source: &'static str,
}

/// The `ollama.host` value from `OLLAMA__HOST` or `OLLAMA` (JSON) among `vars`,
/// names matched case-insensitively; `OLLAMA__HOST` wins over the JSON's `host`.
fn from_vars(vars: &[(String, String)]) -> Option<String> {
    let get = |name: &str| {
        vars.iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    if let Some(v) = get("OLLAMA__HOST") {
        return Some(v);
    }
    let json = get("OLLAMA")?;
    let value: serde_json::Value = serde_json::from_str(&json).ok()?;
    let obj = value.as_object()?;
    obj.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("host"))
        .and_then(|(_, v)| v.as_str().map(str::to_string))
}

fn from_yaml(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let doc: serde_norway::Value = serde_norway::from_str(&text).ok()?;
    let host = doc.get("ollama")?.get("host")?;
    host.as_str().map(str::to_string)
}

/// Resolve the host: process environment, then `.env` in `cwd`, then the YAML file
/// named by `CONFIG_FILE`, then the default.
pub fn resolve(env: &[(OsString, OsString)], cwd: &Path) -> HostSetting {
    let vars: Vec<(String, String)> = env
        .iter()
        .filter_map(|(k, v)| Some((k.to_str()?.to_string(), v.to_str()?.to_string())))
        .collect();
    if let Some(value) = from_vars(&vars) {
        return HostSetting {
            value,
            source: "environment",
        };
    }
    if let Ok(iter) = dotenvy::from_path_iter(cwd.join(".env")) {
        let dot: Vec<(String, String)> = iter.filter_map(|r| r.ok()).collect();
        if let Some(value) = from_vars(&dot) {
            return HostSetting {
                value,
                source: ".env",
            };
        }
    }
    if let Some((_, file)) = vars.iter().find(|(k, _)| k == "CONFIG_FILE") {
        if !file.is_empty() {
            if let Some(value) = from_yaml(Path::new(file)) {
                return HostSetting {
                    value,
                    source: "CONFIG_FILE",
                };
            }
        }
    }
    HostSetting {
        value: DEFAULT_HOST.into(),
        source: "default",
    }
}

/// The explicit port text of a URL's authority, if any (the `url` crate hides a
/// port equal to the scheme's default, Python does not).
fn explicit_port(raw: &str) -> Option<&str> {
    let after = raw.split_once("://")?.1;
    let authority = after.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let tail = match host_port.rfind(']') {
        Some(i) => &host_port[i + 1..],
        None => host_port,
    };
    tail.rsplit_once(':').map(|(_, p)| p)
}

/// Split a host setting into `(base_url, port)` like the original's
/// `split_ollama_host`, with brackets restored around IPv6 hosts. A port that is
/// not a number or is out of range is an error.
pub fn split(host: &str) -> Result<(String, u16), InvalidOllamaHost> {
    let bad_port = || InvalidOllamaHost {
        host: host.to_string(),
    };
    let trimmed = host.trim();
    if let Some(p) = explicit_port(trimmed) {
        if !p.is_empty()
            && (!p.bytes().all(|b| b.is_ascii_digit())
                || p.parse::<u32>().map_or(true, |n| n > 65535))
        {
            let scheme = trimmed.split_once(':').map(|(s, _)| s.to_ascii_lowercase());
            if matches!(scheme.as_deref(), Some("http") | Some("https")) {
                return Err(bad_port());
            }
        }
    }
    let url = match url::Url::parse(trimmed) {
        Ok(u) => u,
        Err(url::ParseError::InvalidPort) => return Err(bad_port()),
        Err(_) => return Ok((DEFAULT_BASE_URL.into(), DEFAULT_PORT)),
    };
    let scheme = url.scheme();
    let hostname = match url.host() {
        Some(url::Host::Ipv6(addr)) => format!("[{addr}]"),
        Some(url::Host::Ipv4(addr)) => addr.to_string(),
        Some(url::Host::Domain(d)) if !d.is_empty() => d.to_lowercase(),
        _ => return Ok((DEFAULT_BASE_URL.into(), DEFAULT_PORT)),
    };
    if scheme != "http" && scheme != "https" {
        return Ok((DEFAULT_BASE_URL.into(), DEFAULT_PORT));
    }
    let port = url
        .port()
        .or_else(|| explicit_port(trimmed).and_then(|p| p.parse().ok()))
        .filter(|p| *p != 0)
        .unwrap_or(DEFAULT_PORT);
    Ok((format!("{scheme}://{hostname}"), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_examples_of_the_spec() {
        let ok = |h: &str, b: &str, p: u16| assert_eq!(split(h), Ok((b.to_string(), p)), "{h}");
        ok("HTTP://GPU-Box.LAN:11500", "http://gpu-box.lan", 11500);
        ok("http://[FD00::1]:8080", "http://[fd00::1]", 8080);
        ok("https://LLM.Internal", "https://llm.internal", 11434);
        ok("http://10.0.0.7:11434/", "http://10.0.0.7", 11434);
        ok("http://user:pw@Box:5555/api?x=1", "http://box", 5555);
        ok("ollama:11434", "http://localhost", 11434);
        ok("ftp://box:21", "http://localhost", 11434);
        ok("http://:1234", "http://localhost", 11434);
        ok("", "http://localhost", 11434);
        ok("http://box:0", "http://box", 11434);
        ok("https://box:443", "https://box", 443);
        ok("http://box:80", "http://box", 80);
        ok("http://localhost:11434", "http://localhost", 11434);
        assert!(split("http://ollama:99999").is_err());
        assert!(split("http://box:abc").is_err());
    }

    fn env(pairs: &[(&str, &str)]) -> Vec<(OsString, OsString)> {
        pairs.iter().map(|(k, v)| (k.into(), v.into())).collect()
    }

    #[test]
    fn resolution_order() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = dir.path();
        assert_eq!(resolve(&env(&[]), cwd).value, DEFAULT_HOST);
        assert_eq!(
            resolve(&env(&[("ollama__host", "http://a:1")]), cwd).value,
            "http://a:1"
        );
        assert_eq!(
            resolve(&env(&[("OLLAMA", r#"{"host": "http://j:2"}"#)]), cwd).value,
            "http://j:2"
        );
        assert_eq!(
            resolve(
                &env(&[
                    ("OLLAMA", r#"{"host": "http://j:2"}"#),
                    ("OLLAMA__HOST", "http://e:3")
                ]),
                cwd
            )
            .value,
            "http://e:3"
        );
        // OLLAMA_HOST (one underscore) is not read by 78dd677.
        assert_eq!(
            resolve(&env(&[("OLLAMA_HOST", "http://x:9")]), cwd).value,
            DEFAULT_HOST
        );
        let yaml = cwd.join("app.yaml");
        std::fs::write(
            &yaml,
            "database:\n  path: x\nollama:\n  host: http://fromyaml:5555\n",
        )
        .unwrap();
        let y = yaml.to_str().unwrap();
        assert_eq!(
            resolve(&env(&[("CONFIG_FILE", y)]), cwd).value,
            "http://fromyaml:5555"
        );
        assert_eq!(
            resolve(
                &env(&[("CONFIG_FILE", y), ("OLLAMA__HOST", "http://envwins:7777")]),
                cwd
            )
            .value,
            "http://envwins:7777"
        );
        std::fs::write(
            cwd.join(".env"),
            "# comment\nOllama__Host=\"http://dotenv:4444\"\n",
        )
        .unwrap();
        let r = resolve(&env(&[("CONFIG_FILE", y)]), cwd);
        assert_eq!((r.value.as_str(), r.source), ("http://dotenv:4444", ".env"));
        assert_eq!(
            resolve(&env(&[("OLLAMA__HOST", "http://e:3")]), cwd).value,
            "http://e:3"
        );
        std::fs::write(&yaml, ": not [ yaml").unwrap();
        std::fs::remove_file(cwd.join(".env")).unwrap();
        assert_eq!(
            resolve(&env(&[("CONFIG_FILE", y)]), cwd).value,
            DEFAULT_HOST
        );
        assert_eq!(
            resolve(&env(&[("CONFIG_FILE", "/nonexistent.yaml")]), cwd).value,
            DEFAULT_HOST
        );
    }
}
