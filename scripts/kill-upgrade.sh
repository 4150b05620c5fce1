#!/usr/bin/env bash
# kill -9 at random points of `curator upgrade` on a large legacy file of each real
# V7 shape (issue 11): after every kill the file must be either untouched or fully
# upgraded, never half-way and never corrupt (`PRAGMA integrity_check`), and when
# it is upgraded its backup must be complete (the original's content).
#
# Usage: scripts/kill-upgrade.sh [RUNS_PER_SHAPE] [ARTICLES] [SHAPES]
#        (default 20, 200000, "fresh v1.0")
# Builds curator and the generator (cargo, profile $PROFILE: dev by default; e.g.
# PROFILE=release), or uses CURATOR_BIN / GEN_BIN when set. Needs python3 (standard
# library only) for the checks. Work files go to a temporary directory under
# $TMPDIR (about 3 times the file size at most), removed at the end.
# Takes about 5 to 7 minutes at 200,000 articles on a 2-core machine (most of it in
# the integrity checks of the 870 MB copies).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
articles=${2:-200000}
shapes=${3:-fresh v1.0}
profile=${PROFILE:-dev}
dir=$([[ $profile == dev ]] && echo debug || echo "$profile")
if [[ -z "${CURATOR_BIN:-}" || -z "${GEN_BIN:-}" ]]; then
  cargo build -q --profile "$profile" -p curator-cli -p curator-core --bin curator --example gen_legacy
fi
curator=${CURATOR_BIN:-target/$dir/curator}
gen=${GEN_BIN:-target/$dir/examples/gen_legacy}
work=$(mktemp -d -p "${TMPDIR:-/tmp}" curator-kill.XXXXXX)
trap 'rm -rf "$work"' EXIT
unset OLLAMA__HOST OLLAMA CONFIG_FILE

# The logical state of a database: schema, row counts, and the rows of the tables
# the upgrade changes (timestamps it writes left out), or "CORRUPT ...".
state() {
  python3 - "$1" <<'EOF'
import hashlib, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
ok = c.execute("PRAGMA integrity_check").fetchone()[0]
if ok != "ok":
    print("CORRUPT", ok); sys.exit()
h = hashlib.sha256()
for row in c.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name"):
    h.update(repr(row).encode())
tables = [r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
volatile = {"updated_at", "applied_on", "created_at"}
for t in tables:
    n = c.execute('SELECT count(*) FROM "%s"' % t).fetchone()[0]
    h.update(f"{t}:{n}".encode())
    if t in ("categories", "article_category_link", "user_preferences", "alembic_version",
             "schema_version", "llm_provider_configs", "llm_task_routes"):
        cols = [r[1] for r in c.execute(f"PRAGMA table_info(\"{t}\")") if r[1] not in volatile]
        order = ", ".join(str(i + 1) for i in range(len(cols)))
        for row in c.execute(f"SELECT {', '.join(cols)} FROM \"{t}\" ORDER BY {order}"):
            h.update(repr(row).encode())
print(h.hexdigest())
EOF
}

total_bad=0
for shape in $shapes; do
  base=$work/base-$shape.db
  echo "== $shape: generating $articles articles"
  "$gen" "$base" "$articles" "$shape"
  original=$(state "$base")
  full=$work/full.db
  cp "$base" "$full"
  "$curator" --db "$full" upgrade >/dev/null
  upgraded=$(state "$full")
  # How long an upgrade takes in the same conditions as the runs below.
  rm -f "$full"*
  cp "$base" "$full"
  start=$(date +%s%N)
  "$curator" --db "$full" upgrade >/dev/null
  span_ms=$(( ($(date +%s%N) - start) / 1000000 ))
  rm -f "$full"*
  # Up to half as long again: a run may be slower than this one.
  window_ms=$((span_ms * 3 / 2))
  echo "   one full upgrade: ${span_ms} ms; killing $runs times at random points in 0..${window_ms} ms"
  untouched=0; complete=0; bad=0
  for i in $(seq 1 "$runs"); do
    db=$work/run.db
    rm -f "$db"*
    cp "$base" "$db"
    delay_ms=$(( RANDOM * 32768 + RANDOM ))
    delay_ms=$(( delay_ms % (window_ms + 1) ))
    "$curator" --db "$db" upgrade >/dev/null 2>&1 &
    pid=$!
    sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    now=$(state "$db")
    backups=("$db".bak-*)
    if [[ $now == "$original" ]]; then
      untouched=$((untouched + 1)); verdict=untouched
    elif [[ $now == "$upgraded" ]]; then
      complete=$((complete + 1)); verdict="fully upgraded"
      whole=("$db".bak-*[0-9Z])
      if [[ ! -e ${whole[0]} ]] || [[ $(state "${whole[0]}") != "$original" ]]; then
        bad=$((bad + 1)); verdict="fully upgraded, but no complete backup (${backups[*]})"
      fi
    else
      bad=$((bad + 1)); verdict="HALF-WAY OR CORRUPT: $now"
    fi
    printf '   run %2d: killed after %5d ms: %s\n' "$i" "$delay_ms" "$verdict"
  done
  echo "   $shape: $untouched untouched, $complete fully upgraded, $bad bad"
  total_bad=$((total_bad + bad))
done
[[ $total_bad -eq 0 ]] && echo "kill-upgrade: every interrupted upgrade left the file untouched or fully upgraded"
exit $((total_bad > 0))
