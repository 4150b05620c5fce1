#!/usr/bin/env bash
# Startup benchmark: Curator's release build against an empty Tauri 2 window built in
# the same run. Prints, per app, the median time from exec to the first visible window
# and the whole process tree's PSS after 5 s idle (the app plus WebKit's helpers).
# Usage: scripts/bench-startup.sh [runs]   (default 5). Needs Xvfb and xdotool.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
command -v xdotool >/dev/null && command -v Xvfb >/dev/null || {
  apt-get install -y -qq xdotool xvfb >/dev/null; }

echo "building release binaries…" >&2
(cd ui && npm run --silent build >/dev/null && TAURI_APP_PATH=../src-tauri npx tauri build --no-bundle >/dev/null 2>&1)
cargo build -q --release -p empty-window --features tauri/custom-protocol

export DISPLAY=:97
Xvfb "$DISPLAY" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
for _ in $(seq 100); do xdotool getdisplaygeometry >/dev/null 2>&1 && break; sleep 0.1; done
trap 'kill $xvfb 2>/dev/null || true' EXIT

tree_pids() { # a pid and all its descendants
  local pid=$1; echo "$pid"
  for c in $(ps -o pid= --ppid "$pid"); do tree_pids "$c"; done
}
tree_pss_kb() {
  local total=0 pss
  for p in $(tree_pids "$1"); do
    pss=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
    total=$((total + ${pss:-0}))
  done
  echo "$total"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

measure() { # name binary window-title
  local name=$1 bin=$2 title=$3 times=() mems=() dir
  for ((i = 0; i < runs; i++)); do
    dir=$(mktemp -d)
    local t0 t1 pid
    t0=$(date +%s%N)
    CURATOR_DB="$dir/curator.db" "$bin" >/dev/null 2>&1 &
    pid=$!
    until xdotool search --onlyvisible --name "$title" >/dev/null 2>&1; do sleep 0.005; done
    t1=$(date +%s%N)
    sleep 5
    times+=($(((t1 - t0) / 1000000)))
    mems+=($(tree_pss_kb "$pid"))
    kill "$pid"; wait "$pid" 2>/dev/null || true
    rm -rf "$dir"
  done
  local t m
  t=$(printf '%s\n' "${times[@]}" | median)
  m=$(printf '%s\n' "${mems[@]}" | median)
  printf '%-14s first window %6s ms (median of %d: %s)   idle PSS %7.1f MB\n' \
    "$name" "$t" "$runs" "${times[*]}" "$(echo "$m / 1024" | bc -l)"
  eval "${name//-/_}_pss=$m"
}

measure empty-window target/release/empty-window '^empty-window$'
measure curator target/release/curator-app '^Curator'
printf 'PSS ratio curator / empty-window: %.2f\n' "$(echo "$curator_pss / $empty_window_pss" | bc -l)"
