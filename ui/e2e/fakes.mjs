// Fake provider servers on 127.0.0.1 for the end-to-end tests, speaking the wire
// formats of ../shared/specs (Ollama's /api/*, OpenAI's /v1/models), errors included.
// Each fake can be stopped and started again on the same port, to see the window react.
import { createServer } from "node:http";

const json = (res, status, body, headers = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
};

function listen(handler, port = 0) {
  return new Promise((resolve, reject) => {
    const server = createServer(handler);
    const sockets = new Set();
    server.on("connection", (s) => {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
    });
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const stop = () =>
        new Promise((r) => {
          for (const s of sockets) s.destroy();
          server.close(() => r());
        });
      resolve({ port: server.address().port, stop });
    });
  });
}

/** A restartable fake: `start()`, `stop()`, and a fixed `port` once started. */
function restartable(handler) {
  const fake = {
    port: 0,
    running: false,
    async start() {
      const s = await listen(handler, fake.port);
      fake.port = s.port;
      fake._stop = s.stop;
      fake.running = true;
      return fake;
    },
    async stop() {
      if (fake.running) await fake._stop();
      fake.running = false;
    },
  };
  return fake;
}

const GIB = 1024 ** 3;

/** Ollama: version, tags, ps, show, pull (NDJSON stream), delete. */
export function fakeOllama({ models = ["gemma3:12b", "qwen3:8b"] } = {}) {
  const installed = new Map(
    models.map((name, i) => [name, { size: Math.round((7.6 - i * 2.5) * GIB), params: i ? "8.2B" : "12.2B" }]),
  );
  return restartable((req, res) => {
    const url = new URL(req.url, "http://x");
    if (req.method === "GET" && url.pathname === "/api/version") return json(res, 200, { version: "0.12.3" });
    if (req.method === "GET" && url.pathname === "/api/tags") {
      return json(res, 200, {
        models: [...installed].map(([name, m]) => ({
          name,
          model: name,
          modified_at: "2026-11-20T10:00:00Z",
          size: m.size,
          digest: "0".repeat(64),
          details: { format: "gguf", family: name.split(":")[0], parameter_size: m.params, quantization_level: "Q4_K_M" },
        })),
      });
    }
    if (req.method === "GET" && url.pathname === "/api/ps") {
      const [name, m] = [...installed][0] ?? [];
      return json(res, 200, {
        models: name
          ? [{ name, model: name, size: m.size, size_vram: m.size, context_length: 8192, expires_at: "2026-12-31T00:00:00Z", digest: "0".repeat(64), details: {} }]
          : [],
      });
    }
    if (req.method === "POST" && url.pathname === "/api/pull") {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        const { model } = JSON.parse(body || "{}");
        res.writeHead(200, { "content-type": "application/x-ndjson" });
        const total = 400 * 1024 * 1024;
        let done = 0;
        res.write(JSON.stringify({ status: "pulling manifest" }) + "\n");
        const tick = setInterval(() => {
          done = Math.min(total, done + total / 50);
          res.write(JSON.stringify({ status: "pulling 0123abcd", digest: "sha256:0123abcd", total, completed: done }) + "\n");
          if (done >= total) {
            clearInterval(tick);
            installed.set(model, { size: total, params: "1B" });
            res.end(JSON.stringify({ status: "success" }) + "\n");
          }
        }, 200);
        res.on("close", () => clearInterval(tick));
      });
      return;
    }
    if (req.method === "DELETE" && url.pathname === "/api/delete") {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        const { model } = JSON.parse(body || "{}");
        if (!installed.delete(model)) return json(res, 404, { error: `model '${model}' not found` });
        res.writeHead(200);
        res.end();
      });
      return;
    }
    json(res, 404, { error: "404 page not found" });
  });
}

/** An OpenAI-compatible server: `GET /v1/models` behind a bearer key. */
export function fakeOpenAI({ key, models = ["gpt-4.1-mini", "gpt-4.1-nano", "text-embedding-3-small"] }) {
  return restartable((req, res) => {
    const url = new URL(req.url, "http://x");
    if (req.headers.authorization !== `Bearer ${key}`) {
      return json(res, 401, {
        error: { message: "Incorrect API key provided.", type: "invalid_request_error", param: null, code: "invalid_api_key" },
      });
    }
    if (req.method === "GET" && url.pathname === "/v1/models") {
      return json(res, 200, {
        object: "list",
        data: models.map((id, i) => ({ id, object: "model", created: 1744318173 - i, owned_by: "system" })),
      });
    }
    json(res, 404, { error: { message: `Unknown request URL: ${req.method} ${url.pathname}`, type: "invalid_request_error", param: null, code: "unknown_url" } });
  });
}

/** A server that accepts connections and never answers (a hanging provider). */
export function fakeHanging() {
  return restartable(() => {});
}
