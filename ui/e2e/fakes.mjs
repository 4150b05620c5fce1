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
export function fakeOllama({ models = ["gemma3:12b", "qwen3:8b"], pullSeconds = 60 } = {}) {
  const installed = new Map(
    models.map((name, i) => [name, { size: Math.round((7.6 - i * 2.5) * GIB), params: i ? "8.2B" : "12.2B" }]),
  );
  /** Every pull asked for: its model, and whether the client hung up before the end. */
  const pulls = [];
  const fake = restartable((req, res) => {
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
        const record = { model, finished: false, abortedAt: null };
        pulls.push(record);
        res.writeHead(200, { "content-type": "application/x-ndjson" });
        const total = 400 * 1024 * 1024;
        let done = 0;
        res.write(JSON.stringify({ status: "pulling manifest" }) + "\n");
        const tick = setInterval(() => {
          done = Math.min(total, Math.round(done + total / (pullSeconds * 5)));
          res.write(JSON.stringify({ status: "pulling 0123abcd", digest: "sha256:0123abcd", total, completed: done }) + "\n");
          if (done >= total) {
            clearInterval(tick);
            installed.set(model, { size: total, params: "1B" });
            record.finished = true;
            res.end(JSON.stringify({ status: "success" }) + "\n");
          }
        }, 200);
        res.on("close", () => {
          clearInterval(tick);
          if (!record.finished) record.abortedAt = Date.now();
        });
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
  fake.pulls = pulls;
  return fake;
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
    if (req.method === "POST" && url.pathname === "/v1/chat/completions") {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        const r = JSON.parse(body || "{}");
        const format = r.response_format;
        // Structured output as OpenAI documents it; anything else is a 400, as the API says.
        if (format?.type !== "json_schema" || !format.json_schema?.schema) {
          return json(res, 400, { error: { message: "Invalid parameter: 'response_format' must be json_schema here.", type: "invalid_request_error", param: "response_format", code: null } });
        }
        const user = (r.messages ?? []).map((m) => m.content).join("\n");
        const ids = [...user.matchAll(/<article id:(\d+)>/g)].map((m) => Number(m[1]));
        const scoring = JSON.stringify(format.json_schema.schema).includes("interest_score");
        const results = ids.map((article_id) =>
          scoring
            ? { article_id, interest_score: 7, quality_score: 6, reasoning: "Relevant and well sourced." }
            : { article_id, categories: ["Technology"], suggested_new: [], suggested_parent: null },
        );
        json(res, 200, {
          id: "chatcmpl-e2e",
          object: "chat.completion",
          created: 1764900000,
          model: r.model,
          choices: [{ index: 0, message: { role: "assistant", content: JSON.stringify({ results }) }, finish_reason: "stop" }],
          usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
        });
      });
      return;
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
