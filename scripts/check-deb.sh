#!/usr/bin/env bash
# Installs the built .deb on this machine (apt-get install ./…deb) and checks that the
# installed app starts and shows its window under Xvfb. Run scripts/bundle.sh first.
set -euo pipefail
cd "$(dirname "$0")/.."
deb=$(ls -t target/release/bundle/deb/*.deb | head -n1)
echo "installing $deb ($(du -h "$deb" | cut -f1))"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "./$deb" >/dev/null
command -v xdotool >/dev/null || apt-get install -y -qq xdotool >/dev/null
bin=$(dpkg -L curator | grep -E '/bin/curator-app$')
dir=$(mktemp -d)
export DISPLAY=:96
Xvfb "$DISPLAY" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
for _ in $(seq 100); do xdotool getdisplaygeometry >/dev/null 2>&1 && break; sleep 0.1; done
CURATOR_DB="$dir/curator.db" "$bin" >"$dir/app.log" 2>&1 &
app=$!
trap 'kill $app $xvfb 2>/dev/null || true; rm -rf "$dir"' EXIT
if timeout 20 xdotool search --sync --onlyvisible --name '^Curator' >/dev/null; then
  sleep 2
  [[ -f "$dir/curator.db" ]] || { echo "FAIL: window shown but no database created"; exit 1; }
  echo "ok: installed $bin shows its window; database created at $dir/curator.db"
else
  echo "FAIL: no Curator window within 20 s"; cat "$dir/app.log"; exit 1
fi
