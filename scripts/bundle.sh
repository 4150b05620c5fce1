#!/usr/bin/env bash
# Builds the .deb and .rpm installers (release build) into target/release/bundle/.
# AppImage is left out: its bundler downloads AppRun at bundle time, which fails offline.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
(cd ui && TAURI_APP_PATH=../src-tauri npx tauri build --bundles deb,rpm)
ls -l target/release/bundle/deb/*.deb target/release/bundle/rpm/*.rpm
