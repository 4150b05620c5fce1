#!/usr/bin/env bash
# Sets up a Debian 12 machine and runs Curator. Extra arguments go to the app
# (for example: --db /path/to/rss-reader.db).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export TAURI_APP_PATH=../src-tauri
(cd ui && npx tauri build --debug --no-bundle)
exec target/debug/curator-app "$@"
