#!/usr/bin/env bash
# Sets up a Debian 12 machine and runs every check and test of Curator:
# formatting, clippy, Rust tests (core, CLI, Tauri commands through the mock runtime),
# the bindings drift check, the UI's type check, lint and unit tests, the legacy
# database checker, and the end-to-end smoke test in a real window under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
# Where cargo puts binaries (CARGO_TARGET_DIR when set).
bin=${CARGO_TARGET_DIR:-$root/target}/debug
log=$(mktemp -d)/test.log
trap 'echo "logs: $log"' EXIT

step() { printf '\n==> %s\n' "$*"; }

step "setup"
bash scripts/setup.sh --test
export PATH="$HOME/.cargo/bin:$PATH"

step "UI build (the app embeds ui/dist)"
npm --prefix ui run --silent build >/dev/null

step "Rust: format and lint"
cargo fmt --all --check
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "curator-core has no Tauri dependency"
if cargo tree -p curator-core -e normal --prefix none | grep -q '^tauri'; then
  echo "curator-core depends on tauri" >&2; exit 1
fi

step "Rust tests"
# pyslug's differential test installs python-slugify 8.0.4 and text-unidecode 1.3
# from PyPI into target/tmp; here it must run, not skip.
export PYSLUG_DIFF_REQUIRED=1
cargo test --workspace 2>&1 | tee -a "$log"

step "bindings drift check"
git diff --exit-code -- ui/src/bindings.ts || {
  echo "ui/src/bindings.ts is stale: run 'cargo test -p curator-app export_bindings' and commit it" >&2; exit 1; }

step "UI: type check, lint, unit tests"
(cd ui && npx tsc -b --noEmit && npx eslint . && npx vitest run) 2>&1 | tee -a "$log"

if [[ -f ../shared/legacy-db/check.py ]]; then
  step "legacy databases (../shared/legacy-db/check.py)"
  python3 ../shared/legacy-db/check.py --curator "$bin/curator" ../shared/legacy-db 2>&1 | tee -a "$log"
fi

step "end-to-end: the real window under Xvfb"
(cd ui && TAURI_APP_PATH=../src-tauri npx tauri build --debug --no-bundle >/dev/null)
cargo build -q -p curator-cli
xvfb-run -a -s "-screen 0 1280x800x24" \
  node ui/e2e/smoke.mjs "$bin/curator-app" "$bin/curator" 2>&1 | tee -a "$log"

step "end-to-end: the settings window against fake Ollama and OpenAI servers (mouse, then keyboard only)"
CURATOR_LOG=warn xvfb-run -a -s "-screen 0 1280x800x24" \
  node ui/e2e/settings.mjs "$bin/curator-app" "$bin/curator" both 2>&1 | tee -a "$log"

# One closing line over everything that ran.
passed=0; failed=0
while read -r p f; do passed=$((passed + p)); failed=$((failed + f)); done < <(
  sed -E 's/\x1b\[[0-9;]*m//g' "$log" | awk '
    /^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p = $i; if ($(i+1) ~ /^failed/) f = $i }; print p+0, f+0 }
    /^ *Tests +[0-9]+ (passed|failed)/ { p = 0; f = 0; for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p = $i; if ($(i+1) ~ /^failed/) f = $i }; print p+0, f+0 }
    /^(e2e: )?[0-9]+ passed, [0-9]+ failed$/ { sub(/^e2e: /, ""); print $1+0, $3+0 }')
trap - EXIT
echo
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
