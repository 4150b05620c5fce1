//! A small HTTP/1.1 Ollama fake that streams `/api/pull` as NDJSON line by line
//! (wiremock cannot), and answers version/tags/ps/delete.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[derive(Clone)]
pub struct PullScript {
    pub lines: Vec<String>,
    pub delay: Duration,
    /// Stall (never finish) after this many lines.
    pub stall_after: Option<usize>,
}

pub struct StreamFake {
    pub base: String,
    /// Set when the client went away in the middle of a pull.
    pub client_left: Arc<AtomicBool>,
    pub pull_requests: Arc<AtomicUsize>,
}

fn respond(status: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

pub async fn ollama_stream_fake(script: PullScript) -> StreamFake {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://127.0.0.1:{}", l.local_addr().unwrap().port());
    let client_left = Arc::new(AtomicBool::new(false));
    let pull_requests = Arc::new(AtomicUsize::new(0));
    let (left, pulls) = (client_left.clone(), pull_requests.clone());
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = l.accept().await {
            let script = script.clone();
            let (left, pulls) = (left.clone(), pulls.clone());
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut tmp = [0u8; 4096];
                // Read the head and the body announced by Content-Length.
                loop {
                    let n = match sock.read(&mut tmp).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => n,
                    };
                    buf.extend_from_slice(&tmp[..n]);
                    if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buf[..end]).to_lowercase();
                        let len: usize = head
                            .lines()
                            .find_map(|l| {
                                l.strip_prefix("content-length:")
                                    .map(|v| v.trim().parse().unwrap_or(0))
                            })
                            .unwrap_or(0);
                        if buf.len() >= end + 4 + len {
                            break;
                        }
                    }
                }
                let text = String::from_utf8_lossy(&buf).to_string();
                let first = text.lines().next().unwrap_or("").to_string();
                let fx = |f: &str| super::fixture(f);
                let out = if first.starts_with("GET /api/version") {
                    respond("200 OK", &fx("ollama/version.response.json"))
                } else if first.starts_with("GET /api/tags") {
                    respond("200 OK", &fx("ollama/tags.response.json"))
                } else if first.starts_with("GET /api/ps") {
                    respond("200 OK", &fx("ollama/ps.response.json"))
                } else if first.starts_with("DELETE /api/delete") {
                    if text.contains("\"qwen3:8b\"") {
                        respond("200 OK", "")
                    } else {
                        respond("404 Not Found", "{\"error\": \"model 'x' not found\"}")
                    }
                } else if first.starts_with("POST /api/pull") {
                    pulls.fetch_add(1, Ordering::SeqCst);
                    let head = "HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nConnection: close\r\n\r\n";
                    if sock.write_all(head.as_bytes()).await.is_err() {
                        return;
                    }
                    for (i, line) in script.lines.iter().enumerate() {
                        if script.stall_after == Some(i) {
                            // Hold the connection; notice when the client drops it.
                            let mut one = [0u8; 1];
                            let _ = sock.read(&mut one).await;
                            left.store(true, Ordering::SeqCst);
                            return;
                        }
                        tokio::time::sleep(script.delay).await;
                        if sock
                            .write_all(format!("{line}\n").as_bytes())
                            .await
                            .is_err()
                        {
                            left.store(true, Ordering::SeqCst);
                            return;
                        }
                        let _ = sock.flush().await;
                    }
                    return;
                } else {
                    respond("404 Not Found", "{\"error\": \"no such path\"}")
                };
                let _ = sock.write_all(out.as_bytes()).await;
            });
        }
    });
    StreamFake {
        base,
        client_left,
        pull_requests,
    }
}

pub fn pull_lines(file: &str) -> Vec<String> {
    super::fixture(file)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}
